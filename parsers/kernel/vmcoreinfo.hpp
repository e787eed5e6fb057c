// VMCOREINFO: the "KEY=VALUE\n" text the kernel leaves for dump tools (kernel/crash_core.c).
#pragma once

#include <string_view>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"

namespace corelens {

// Every line becomes an entry; lines without '=' and keys past the cap become diagnostics.
VmcoreInfo parse_vmcoreinfo(std::string_view text, Diagnostics& diags, const KernelLimits& limits = {});

}  // namespace corelens
