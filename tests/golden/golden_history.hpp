// golden_render's history outputs (golden_history.cpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens::golden {

// FORMAT (history-text, history-json, history-markdown, dashboard) of a history made of REPORTS;
// nullopt for another format.
std::optional<std::string> render_history(const std::string& format, const std::vector<Report>& reports);

}  // namespace corelens::golden
