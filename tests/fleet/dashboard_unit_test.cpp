// The dashboard writer and the store on hostile text: a core chooses its own function names and
// file names, so they reach the page and the database as data, never as markup or SQL; and the
// chart's days and counts line up with the groups'.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/report/batch/dashboard_html.hpp"
#include "cli/history/days.hpp"
#include "cli/history/history_store.hpp"

namespace corelens::testing {
namespace {

const std::string kHostile = "<script>alert('x')</script>\" onmouseover=\"x()\" & ; DROP TABLE dumps; --";

TEST(Dashboard, HostileNamesAreTextNotMarkup) {
  DashboardPage page;
  page.title = "t";
  page.days = {"2026-11-29", "2026-11-30"};
  DashboardGroup g;
  g.hash = "abc";
  g.signature = kHostile;
  g.why = kHostile;
  g.stack = {kHostile};
  g.dumps = {kHostile};
  g.count = 1;
  g.per_day = {0, 1};
  page.groups.push_back(g);
  std::string html = dashboard_to_html(page);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("\" onmouseover=\""), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x()&quot; &amp;"),
            std::string::npos);
  // One <script> element: the page's own.
  std::size_t scripts = 0;
  for (std::size_t p = html.find("<script"); p != std::string::npos; p = html.find("<script", p + 1)) ++scripts;
  EXPECT_EQ(scripts, 1u);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
}

TEST(Dashboard, ChartStacksTheGroupsDayByDay) {
  DashboardPage page;
  page.days = {"2026-11-28", "2026-11-29", "2026-11-30"};
  for (int i = 0; i < 10; ++i) {  // eight series, then "other" sums the rest
    DashboardGroup g;
    g.hash = "h" + std::to_string(i);
    g.signature = "cat | f" + std::to_string(i) + " | main";
    g.per_day = {i, 0, 1};
    page.groups.push_back(g);
  }
  std::string svg = crashes_per_day_svg(page);
  // Day 3 holds ten crashes, one per group: ten "1 ×" segments in all, of which eight named and
  // the "other" segment holding two.
  EXPECT_NE(svg.find("<title>2026-11-30: 1 × f0</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>2026-11-30: 2 × other signatures</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>2026-11-28: 17 × other signatures</title>"), std::string::npos) << svg;  // 8 + 9
  EXPECT_EQ(svg.find("× f8"), std::string::npos);
  EXPECT_NE(svg.find(">11-28</text>"), std::string::npos);
  DashboardPage empty;
  EXPECT_NE(crashes_per_day_svg(empty).find("No crashes in this period"), std::string::npos);
}

TEST(Dashboard, DayRangesAndDurations) {
  using cli::history::day_range;
  using cli::history::parse_duration;
  EXPECT_EQ(day_range("2026-02-27", "2026-03-01"), (std::vector<std::string>{"2026-02-27", "2026-02-28", "2026-03-01"}));
  EXPECT_EQ(day_range("2026-01-01", "2026-12-31", 3), (std::vector<std::string>{"2026-12-29", "2026-12-30", "2026-12-31"}));
  EXPECT_TRUE(day_range("2026-03-01", "2026-02-01").empty());
  EXPECT_TRUE(day_range("garbage", "2026-02-01").empty());
  EXPECT_EQ(parse_duration("30d"), 30 * 86400);
  EXPECT_EQ(parse_duration("2w"), 14 * 86400);
  EXPECT_EQ(parse_duration("90s"), 90);
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration("-1d"));
  EXPECT_FALSE(parse_duration("5y"));
}

TEST(HistoryStore, HostileTextIsStoredAsItIs) {
  using namespace cli::history;
  std::string db = (std::filesystem::temp_directory_path() / ("corelens-store-" + std::to_string(::getpid()) + ".sqlite"))
                       .string();
  std::filesystem::remove(db);
  auto store = HistoryStore::open(db);
  ASSERT_TRUE(store) << store.error().message;
  DumpFacts d;
  d.content_hash = std::string(64, 'a');
  d.signature_hash = "sig'1";
  d.signature = kHostile;
  d.why = kHostile;
  d.top_frames = {kHostile, "b!c"};
  d.path = kHostile;
  d.crashed_at = "2026-11-30T10:00:00Z";
  auto first = store->record(d);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->counted);
  EXPECT_TRUE(first->new_signature);
  auto again = store->record(d);  // the same bytes: counted before
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->counted);
  auto all = store->read("");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().signature, kHostile);
  EXPECT_EQ(all->front().why, kHostile);
  EXPECT_EQ(all->front().example_path, kHostile);
  EXPECT_EQ(all->front().top_frames, (std::vector<std::string>{kHostile, "b!c"}));
  EXPECT_EQ(all->front().total_count, 1);
  EXPECT_EQ(all->front().per_day, (std::map<std::string, std::int64_t>{{"2026-11-30", 1}}));
  std::filesystem::remove(db);
}

}  // namespace
}  // namespace corelens::testing
