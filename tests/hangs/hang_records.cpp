#include "tests/hangs/hang_records.hpp"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace corelens::testing {

HangRecord parse_hang_record(const std::string& text) {
  HangRecord r;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string tag, what;
    if (!(words >> tag >> what) || tag != "hang:") continue;
    if (what == "thread") {
      int tid;
      std::string role;
      words >> tid >> role;
      r.threads[tid] = role;
    } else if (what == "wait") {
      RecordedWait w;
      std::string object, owner;
      words >> w.tid >> w.kind >> object >> w.name >> owner;
      if (object != "(nil)" && object != "0") w.object = std::stoull(object, nullptr, 16);
      if (owner != "-") w.owner = std::stoi(owner);
      r.waits.push_back(w);
    } else if (what == "cycle") {
      std::vector<int> tids;
      for (int t; words >> t;) tids.push_back(t);
      r.cycle = tids;
    } else if (what == "ready") {
      r.ready = true;
    }
  }
  return r;
}

namespace {

std::optional<std::uint64_t> address(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  return std::stoull(v.get<std::string>(), nullptr, 16);
}

// A cycle read from any of its threads.
bool same_cycle(std::vector<int> a, std::vector<int> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t r = 0; r < a.size(); ++r) {
    if (a == b) return true;
    std::rotate(a.begin(), a.begin() + 1, a.end());
  }
  return a == b;
}

}  // namespace

void expect_report_matches(const nlohmann::json& report, const HangRecord& record, bool live) {
  ASSERT_TRUE(record.complete()) << "the program's record is incomplete";
  const auto& a = report.at("analysis");
  const auto& waits = a.at("waits");
  for (const auto& rw : record.waits) {
    SCOPED_TRACE("recorded wait of thread " + std::to_string(rw.tid) + " (" + rw.kind + " " + rw.name + ")");
    const nlohmann::json* found = nullptr;
    for (const auto& w : waits) {
      if (w.at("tid") == rw.tid) found = &w;
    }
    ASSERT_NE(found, nullptr) << "no wait found for thread " << rw.tid;
    const auto& w = *found;
    EXPECT_EQ(w.at("kind"), rw.kind) << w.dump();
    if (rw.object) {
      EXPECT_EQ(address(w.at("object_address")), rw.object) << w.dump();
    }
    if (rw.kind == "syscall") {
      EXPECT_EQ(w.at("function"), rw.name) << w.dump();
    }
    // The object as the program names it: the program's DWARF gives the element and member
    // ("ring[1]", "acc[1].lock"), the symbol tables the global where DWARF has nothing.
    if (rw.name != "-" && rw.kind != "syscall") {
      std::string name = w.at("object_name").is_string() ? w.at("object_name").get<std::string>() : "";
      EXPECT_EQ(name, rw.name) << w.dump();
    }
    if (rw.owner) {
      EXPECT_EQ(w.at("owner_tid"), *rw.owner) << w.dump();
    } else {
      EXPECT_TRUE(w.at("owner_tid").is_null()) << w.dump();
    }
  }
  const auto& deadlocks = a.at("deadlocks");
  std::string why = a.at("why");
  if (record.cycle) {
    ASSERT_EQ(deadlocks.size(), 1u) << a.dump(2);
    std::vector<int> tids = deadlocks[0].at("threads").get<std::vector<int>>();
    EXPECT_TRUE(same_cycle(tids, *record.cycle)) << deadlocks.dump();
    EXPECT_EQ(tids.front(), *std::min_element(tids.begin(), tids.end())) << "read from the smallest tid";
    EXPECT_EQ(a.at("category"), "deadlock");
    EXPECT_TRUE(why.starts_with("deadlock: ")) << why;
    for (int tid : *record.cycle) EXPECT_NE(why.find("thread " + std::to_string(tid)), std::string::npos) << why;
    for (const auto& rw : record.waits) {
      bool in_cycle = std::find(record.cycle->begin(), record.cycle->end(), rw.tid) != record.cycle->end();
      if (in_cycle && rw.kind != "join" && rw.name != "-") {
        std::string stem = rw.name.substr(0, rw.name.find('['));
        EXPECT_NE(why.find(stem), std::string::npos) << why;
      }
    }
  } else {
    EXPECT_TRUE(deadlocks.empty()) << deadlocks.dump();
    EXPECT_NE(a.at("category"), "deadlock");
    if (!live) {
      EXPECT_EQ(a.at("category"), "killed");
    }
    // The chain from the main thread says what it waits for.
    int main_tid = report.at("process").at("pid");
    EXPECT_NE(why.find("thread " + std::to_string(main_tid) + " "), std::string::npos) << why;
  }
}

const std::vector<HangSample>& hang_samples() {
  static const std::vector<HangSample> kSamples = {
      {"hang_abba", 3}, {"hang_ring", 4}, {"hang_join", 2}, {"hang_rwlock", 3},
      {"hang_self", 2}, {"hang_condvar", 2}, {"hang_idle", 6},
  };
  return kSamples;
}

std::string thread_states(pid_t pid) {
  std::string out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::string stat = read_text_file(dir + "/" + e->d_name + "/stat");
    auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size()) out += stat[close + 2];
  }
  closedir(d);
  return out;
}

bool all_threads_asleep(pid_t pid, int threads) {
  std::string states = thread_states(pid);
  return static_cast<int>(states.size()) == threads && states.find_first_not_of('S') == std::string::npos;
}

}  // namespace corelens::testing
