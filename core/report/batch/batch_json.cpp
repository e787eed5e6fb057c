#include "core/report/batch/batch_json.hpp"

#include <nlohmann/json.hpp>

#include "core/report/json_report.hpp"

namespace corelens {

std::string reports_to_json_array(const std::vector<CrashCase>& cases) {
  std::string out = "[";
  bool first = true;
  for (const auto& c : cases) {
    if (!c.report) continue;
    out += (first ? "\n" : ",\n") + report_to_json(*c.report);
    first = false;
  }
  out += "\n]\n";
  return out;
}

std::string triage_to_json(const TriageTable& table) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["tool"] = "corelens";
  j["dumps"] = table.dumps;
  Json gs = Json::array();
  for (const auto& g : table.groups) {
    Json tg = Json::array();
    for (const auto& t : g.thread_groups) {
      Json thread_group{{"count", t.tids.size()}, {"top_function", t.top_function}};
      if (!t.caller.empty()) thread_group["caller"] = t.caller;
      tg.push_back(std::move(thread_group));
    }
    Json entry{{"count", g.dumps.size()},
               {"hash", g.hash},
               {"signature", g.readable},
               {"category", g.category},
               {"severity", g.severity},
               {"why", g.why},
               {"example", g.example},
               {"top_frames", g.top_frames},
               {"thread_groups", std::move(tg)},
               {"dumps", g.dumps}};
    if (g.history) {
      entry["status"] = g.history->known ? "KNOWN" : "NEW";
      entry["first_seen"] = g.history->first_seen;
      entry["last_seen"] = g.history->last_seen;
      entry["total_count"] = g.history->total_count;
      entry["counted"] = g.history->counted;
    } else {
      entry["status"] = nullptr;
    }
    gs.push_back(std::move(entry));
  }
  j["groups"] = std::move(gs);
  Json fs = Json::array();
  for (const auto& r : table.failed) fs.push_back(Json{{"dump", r.dump}, {"status", r.status}, {"error", r.error}});
  j["not_analysed"] = std::move(fs);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace corelens
