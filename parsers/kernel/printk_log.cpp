#include "parsers/kernel/printk_log.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

// prb_desc.state_var: the top 2 bits are the state, the rest the descriptor id.
constexpr unsigned kStateShift = 62;
constexpr std::uint64_t kIdMask = (1ull << kStateShift) - 1;
constexpr std::uint64_t kCommitted = 1, kFinalized = 2;
constexpr std::uint64_t kMaxRecordText = 1u << 16;  // text_len is a u16

struct Layout {
  std::uint64_t rb_desc_ring, rb_text_ring;
  std::uint64_t dr_count_bits, dr_descs, dr_infos, dr_head_id, dr_tail_id;
  std::uint64_t tr_size_bits, tr_data;
  std::uint64_t desc_size, desc_state, desc_text_lpos, lpos_begin, lpos_next;
  std::uint64_t info_size, info_seq, info_ts, info_text_len, info_caller_id;
};

std::optional<Layout> layout_of(const VmcoreInfo& v, std::string& missing) {
  Layout l{};
  auto need = [&](std::optional<std::uint64_t> value, const char* key, std::uint64_t& out) {
    if (value) out = *value;
    else if (missing.empty()) missing = key;
  };
  need(v.offset("printk_ringbuffer.desc_ring"), "OFFSET(printk_ringbuffer.desc_ring)", l.rb_desc_ring);
  need(v.offset("printk_ringbuffer.text_data_ring"), "OFFSET(printk_ringbuffer.text_data_ring)", l.rb_text_ring);
  need(v.offset("prb_desc_ring.count_bits"), "OFFSET(prb_desc_ring.count_bits)", l.dr_count_bits);
  need(v.offset("prb_desc_ring.descs"), "OFFSET(prb_desc_ring.descs)", l.dr_descs);
  need(v.offset("prb_desc_ring.infos"), "OFFSET(prb_desc_ring.infos)", l.dr_infos);
  need(v.offset("prb_desc_ring.head_id"), "OFFSET(prb_desc_ring.head_id)", l.dr_head_id);
  need(v.offset("prb_desc_ring.tail_id"), "OFFSET(prb_desc_ring.tail_id)", l.dr_tail_id);
  need(v.offset("prb_data_ring.size_bits"), "OFFSET(prb_data_ring.size_bits)", l.tr_size_bits);
  need(v.offset("prb_data_ring.data"), "OFFSET(prb_data_ring.data)", l.tr_data);
  need(v.size("prb_desc"), "SIZE(prb_desc)", l.desc_size);
  need(v.offset("prb_desc.state_var"), "OFFSET(prb_desc.state_var)", l.desc_state);
  need(v.offset("prb_desc.text_blk_lpos"), "OFFSET(prb_desc.text_blk_lpos)", l.desc_text_lpos);
  need(v.offset("prb_data_blk_lpos.begin"), "OFFSET(prb_data_blk_lpos.begin)", l.lpos_begin);
  need(v.offset("prb_data_blk_lpos.next"), "OFFSET(prb_data_blk_lpos.next)", l.lpos_next);
  need(v.size("printk_info"), "SIZE(printk_info)", l.info_size);
  need(v.offset("printk_info.seq"), "OFFSET(printk_info.seq)", l.info_seq);
  need(v.offset("printk_info.ts_nsec"), "OFFSET(printk_info.ts_nsec)", l.info_ts);
  need(v.offset("printk_info.text_len"), "OFFSET(printk_info.text_len)", l.info_text_len);
  l.info_caller_id = v.offset("printk_info.caller_id").value_or(~0ull);
  if (!missing.empty()) return std::nullopt;
  return l;
}

}  // namespace

KernelLog read_kernel_log(const KernelMemory& mem, const VmcoreInfo& info, Diagnostics& diags, const LogLimits& limits) {
  KernelLog log;
  auto prb_sym = info.symbol("prb");
  if (!prb_sym) {
    diags.warn("log-unavailable", info.symbol("log_buf") ? "the kernel uses the pre-5.10 log buffer, which is not read yet"
                                                          : "VMCOREINFO has no SYMBOL(prb): the kernel log cannot be read");
    return log;
  }
  std::string missing;
  auto l = layout_of(info, missing);
  if (!l) {
    diags.warn("log-unavailable", "VMCOREINFO lacks " + missing + ": the kernel log cannot be read");
    return log;
  }
  auto fail_diag = [&](const std::string& what, const Error& e) {
    diags.warn("log-unreadable", "kernel log: " + what + ": " + e.message, e.where);
  };
  auto rb = mem.read_u64(*prb_sym);
  if (!rb) return fail_diag("the prb pointer", rb.error()), log;
  std::uint64_t dr = *rb + l->rb_desc_ring, tr = *rb + l->rb_text_ring;
  auto count_bits = mem.read_u32(dr + l->dr_count_bits);
  auto descs = mem.read_u64(dr + l->dr_descs);
  auto infos = mem.read_u64(dr + l->dr_infos);
  auto head = mem.read_u64(dr + l->dr_head_id);
  auto tail = mem.read_u64(dr + l->dr_tail_id);
  auto size_bits = mem.read_u32(tr + l->tr_size_bits);
  auto data = mem.read_u64(tr + l->tr_data);
  for (const auto* r : {&descs, &infos, &head, &tail, &data}) {
    if (!*r) return fail_diag("the ring buffer header", r->error()), log;
  }
  if (!count_bits || !size_bits) return fail_diag("the ring buffer header", (!count_bits ? count_bits : size_bits).error()), log;
  if (*count_bits > limits.max_count_bits || *size_bits > limits.max_size_bits || *size_bits < 3) {
    diags.warn("log-malformed", "kernel log: count_bits " + std::to_string(*count_bits) + " / size_bits " +
                                    std::to_string(*size_bits) + " are beyond sane limits");
    return log;
  }
  const std::uint64_t count = 1ull << *count_bits, data_size = 1ull << *size_bits;
  std::uint64_t id = *tail & kIdMask;
  const std::uint64_t head_id = *head & kIdMask;
  std::uint64_t skipped = 0, errors = 0;
  std::optional<Error> first_error;
  for (std::uint64_t steps = 0; steps <= count && log.records.size() < limits.max_records; ++steps) {
    std::uint64_t index = id & (count - 1);
    std::uint64_t desc = *descs + index * l->desc_size;
    std::uint64_t inf = *infos + index * l->info_size;
    auto state_var = mem.read_u64(desc + l->desc_state);
    auto begin = mem.read_u64(desc + l->desc_text_lpos + l->lpos_begin);
    auto next = mem.read_u64(desc + l->desc_text_lpos + l->lpos_next);
    auto seq = mem.read_u64(inf + l->info_seq);
    auto ts = mem.read_u64(inf + l->info_ts);
    auto text_len = mem.read_u16(inf + l->info_text_len);
    bool ok = state_var && begin && next && seq && ts && text_len;
    if (!ok) {
      ++errors;
      if (!first_error) {
        for (const Error* e : {state_var ? nullptr : &state_var.error(), begin ? nullptr : &begin.error(),
                               seq ? nullptr : &seq.error(), text_len ? nullptr : &text_len.error()}) {
          if (e != nullptr && !first_error) first_error = *e;
        }
      }
    } else {
      std::uint64_t state = *state_var >> kStateShift;
      if ((*state_var & kIdMask) != id || (state != kCommitted && state != kFinalized)) {
        ++skipped;
      } else if ((*begin & 1) != 0 || *begin == *next) {
        // Data-less record (begin has the "no data" bit, or an empty block): kept with no text.
        log.records.push_back({*seq, *ts, 0, {}});
      } else {
        std::uint64_t b = *begin & (data_size - 1), n = *next & (data_size - 1);
        std::uint64_t start = b, len = 0;
        if ((*begin >> *size_bits) == (*next >> *size_bits) && n > b) {
          len = n - b;
        } else {  // the block wrapped: its text starts at the beginning of the data ring
          start = 0;
          len = n;
        }
        LogRecord rec{*seq, *ts, 0, {}};
        if (l->info_caller_id != ~0ull) rec.caller_id = mem.read_u32(inf + l->info_caller_id).value_or(0);
        if (len >= 8) {
          std::uint64_t tl = std::min<std::uint64_t>({std::uint64_t{*text_len}, len - 8, kMaxRecordText});
          std::string text(static_cast<std::size_t>(tl), '\0');
          auto r = mem.read(*data + start + 8, std::as_writable_bytes(std::span(text)));
          if (r) {
            rec.text = std::move(text);
          } else {
            ++errors;
            if (!first_error) first_error = r.error();
          }
        }
        log.records.push_back(std::move(rec));
      }
    }
    if (id == head_id) {
      log.complete = errors == 0;
      break;
    }
    id = (id + 1) & kIdMask;
  }
  if (errors != 0) {
    diags.warn("log-partial", "kernel log: " + std::to_string(errors) + " records could not be read" +
                                  (first_error ? " (first: " + first_error->message + ")" : ""));
  }
  (void)skipped;  // reserved/reusable descriptors are normal between tail and head
  return log;
}

std::string format_log_line(const LogRecord& r) {
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "[%5llu.%06llu] ", static_cast<unsigned long long>(r.ts_nsec / 1000000000),
                static_cast<unsigned long long>((r.ts_nsec % 1000000000) / 1000));
  std::string out = prefix;
  const std::size_t indent = out.size();
  for (char c : r.text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {  // a multi-line record: later lines are indented under the text
      out.push_back(c);
      out.append(indent, ' ');
    } else if (std::isprint(u) || std::isspace(u)) {
      out.push_back(c);
    } else {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", u);
      out += esc;
    }
  }
  out.push_back('\n');
  return out;
}

PanicStory find_panic_story(const KernelLog& log) {
  PanicStory s;
  const auto& recs = log.records;
  constexpr std::string_view kPanic = "Kernel panic - not syncing: ";
  for (std::size_t i = recs.size(); i-- > 0;) {
    auto pos = recs[i].text.find(kPanic);
    // "---[ end Kernel panic - not syncing: ... ]---" closes the report; the line that opened it
    // says the same without the brackets.
    if (recs[i].text.starts_with("---[ end ")) continue;
    if (pos != std::string::npos) {
      s.panic_record = i;
      std::string msg = recs[i].text.substr(pos + kPanic.size());
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      s.panic_message = printable(msg);
      break;
    }
  }
  // The oops: the last record before the panic (or the end) that starts a report.
  static constexpr std::string_view kStarts[] = {
      "sysrq: Trigger a crash", "BUG: ", "Oops: ", "general protection fault", "kernel BUG at", "WARNING: ",
      "Kernel panic - not syncing: ", "divide error", "invalid opcode", "stack segment", "double fault",
      "Watchdog detected hard LOCKUP", "watchdog: BUG: soft lockup", "INFO: task "};
  std::size_t limit = s.panic_record ? *s.panic_record + 1 : recs.size();
  std::size_t search_from = limit > 200 ? limit - 200 : 0;
  for (std::size_t i = limit; i-- > search_from;) {
    bool starts = false;
    for (auto k : kStarts) {
      if (recs[i].text.starts_with(k)) starts = true;
    }
    if (starts) {
      s.oops_begin = i;
      // An oops report directly above (e.g. "BUG: ..." before "Kernel panic") belongs to the story.
      if (!recs[i].text.starts_with("Kernel panic")) break;
    }
  }
  if (s.oops_begin && recs[*s.oops_begin].text.starts_with("Oops: ")) {
    // "BUG: kernel NULL pointer dereference" and "#PF: ..." lines come just before "Oops:".
    for (std::size_t back = 1; back <= 5 && back <= *s.oops_begin; ++back) {
      if (recs[*s.oops_begin - back].text.starts_with("BUG: ")) {
        s.oops_begin = *s.oops_begin - back;
        break;
      }
    }
  }
  if (s.oops_begin) {
    s.headline = printable(recs[*s.oops_begin].text);
    std::size_t end = *s.oops_begin;
    for (std::size_t i = *s.oops_begin; i < recs.size() && i < *s.oops_begin + 200; ++i) {
      end = i + 1;
      const std::string& t = recs[i].text;
      if (t.starts_with("---[ end Kernel panic") || t.starts_with("Kernel Offset:")) break;
    }
    s.oops_end = end;
  }
  return s;
}

}  // namespace corelens
