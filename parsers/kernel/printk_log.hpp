// The kernel log from the printk ring buffer (kernel/printk/printk_ringbuffer.h, Linux 5.10+),
// read with VMCOREINFO's layout alone, as `makedumpfile --dump-dmesg` does:
//   SYMBOL(prb) -> struct printk_ringbuffer { desc_ring, text_data_ring }
//   desc_ring:      count_bits, descs[], infos[] (struct printk_info: seq, ts_nsec, text_len,
//                   caller_id), head_id, tail_id
//   text_data_ring: size_bits, data[], each block = unsigned long id + text
// Records from tail_id to head_id in the committed or finalized state are kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"

namespace corelens {

struct LogRecord {
  std::uint64_t seq = 0;
  std::uint64_t ts_nsec = 0;
  std::uint32_t caller_id = 0;  // 0x80000000 | cpu, or the task's pid
  std::string text;             // the record's text as the kernel stored it (may hold '\n')
};

struct KernelLog {
  std::vector<LogRecord> records;  // oldest first
  bool complete = false;           // false: the walk stopped early (see diagnostics)
};

struct LogLimits {
  std::uint64_t max_records = 1u << 20;
  std::uint32_t max_count_bits = 24;  // 16 M descriptors
  std::uint32_t max_size_bits = 31;   // 2 GiB of text
};

KernelLog read_kernel_log(const KernelMemory& memory, const VmcoreInfo& info, Diagnostics& diags,
                          const LogLimits& limits = {});

// One record as `makedumpfile --dump-dmesg` prints it: "[%5llu.%06lu] text\n", with bytes that
// are neither printable nor whitespace written as \xNN, and the lines of a multi-line record
// after the first indented under its text.
std::string format_log_line(const LogRecord& record);

// What the log says about the crash.
struct PanicStory {
  std::optional<std::size_t> panic_record;  // "Kernel panic - not syncing: ..."
  std::string panic_message;                // the text after "not syncing: "
  std::optional<std::size_t> oops_begin;    // first record of the oops that led to it
  std::size_t oops_end = 0;                 // one past its last record (trace, modules, offset)
  std::string headline;                     // the oops' first line ("BUG: kernel NULL pointer ...")
};
// What the log says in words only: the panic message and the oops to show. Which CPU and task
// panicked are facts of memory (unwinder/kernel_cpu_facts.hpp), never read from this text.
PanicStory find_panic_story(const KernelLog& log);

}  // namespace corelens
