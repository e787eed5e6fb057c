// The streaming JSON writer prints exactly what nlohmann::json's dump() prints for the same
// tree (reports used to be dumped by nlohmann; readers and tests rely on the layout), and turns
// invalid UTF-8 into U+FFFD the same way.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/report/json_writer.hpp"

namespace corelens {
namespace {

using Json = nlohmann::ordered_json;

std::string ours(const Json& tree, int indent) {
  std::string out;
  JsonWriter w(out, indent);
  w.value(tree);
  return out;
}

std::string theirs(const Json& tree, int indent) { return tree.dump(indent, ' ', false, Json::error_handler_t::replace); }

TEST(JsonWriter, SameTextAsNlohmannPrettyAndCompact) {
  Json tree = {{"schema_version", 1},
               {"empty_object", Json::object()},
               {"empty_array", Json::array()},
               {"nested", {{"a", {1, 2, {{"b", nullptr}}}}, {"t", true}, {"f", false}}},
               {"big", std::numeric_limits<std::uint64_t>::max()},
               {"negative", std::numeric_limits<std::int64_t>::min()},
               {"escapes", std::string("quote \" backslash \\ \b\f\n\r\t ctl \x01\x1f del \x7f", 38)},
               {"utf8", "na\xc3\xafve \xe2\x82\xac \xf0\x9f\x92\xa5"},
               {"nul", std::string("a\0b", 3)}};
  for (int indent : {-1, 0, 2, 4}) {
    EXPECT_EQ(ours(tree, indent), theirs(tree, indent)) << "indent " << indent;
  }
}

TEST(JsonWriter, InvalidUtf8IsReplacedAsNlohmannDoes) {
  const std::vector<std::string> cases = {
      "\xff",         "\xc0\xaf",     "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
      "\xe2\x82" "A", "\xf0\x9f\x92", "\x80\x80",     "ok\xc3",       "\xc3\x28",         "\xf8\x88\x80\x80\x80",
  };
  for (const auto& s : cases) {
    Json tree = {{"k" + s, s}};
    EXPECT_EQ(ours(tree, 2), theirs(tree, 2)) << testing::PrintToString(s);
  }
}

// Random byte strings and random trees: the two agree on all of them.
TEST(JsonWriter, RandomTreesAgree) {
  std::mt19937 rng(1234);
  auto random_string = [&] {
    std::string s(rng() % 12, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 26);
    return s;
  };
  std::function<Json(int)> random_tree = [&](int depth) -> Json {
    switch (depth > 3 ? rng() % 4 : rng() % 6) {
      case 0: return random_string();
      case 1: return static_cast<std::int64_t>(rng()) - (1ll << 31);
      case 2: return rng() % 2 == 0;
      case 3: return nullptr;
      case 4: {
        Json a = Json::array();
        for (unsigned i = rng() % 4; i > 0; --i) a.push_back(random_tree(depth + 1));
        return a;
      }
      default: {
        Json o = Json::object();
        for (unsigned i = rng() % 4; i > 0; --i) o[random_string()] = random_tree(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 500; ++i) {
    Json tree = random_tree(0);
    ASSERT_EQ(ours(tree, 2), theirs(tree, 2)) << i;
    ASSERT_EQ(ours(tree, -1), theirs(tree, -1)) << i;
  }
}

TEST(JsonWriter, ReportConventions) {
  std::string out;
  JsonWriter w(out, -1);
  w.begin_object();
  w.key("a");
  w.hex(0x1f);
  w.key("b");
  w.hex_or_null(std::nullopt);
  w.key("c");
  w.string_or_null("");
  w.key("d");
  w.optional(std::optional<int>(-3));
  w.field("e", std::string_view("x"));
  w.end_object();
  EXPECT_EQ(out, R"({"a":"0x1f","b":null,"c":null,"d":-3,"e":"x"})");
}

// The plain-key writers (the variables of --locals) print what key() and value() print, in every
// indentation, after earlier elements or none, for values that need escaping and values that
// do not, and for the literals they stand for.
TEST(JsonWriter, PlainKeysWriteWhatKeysAndValuesWrite) {
  for (int indent : {-1, 0, 2, 4}) {
    std::string general, plain;
    JsonWriter g(general, indent), p(plain, indent);
    // One field at a time through fields(), as the variables' writer gives them.
    auto field = [&p](std::string_view name, std::string_view value, bool literal) {
      const JsonWriter::Field f{name, value, literal};
      p.fields({&f, 1});
    };
    for (JsonWriter* w : {&g, &p}) {
      w->begin_array();
      w->begin_object();
    }
    g.key("name");
    g.value("plain text");
    field("name", "plain text", false);
    g.key("escaped");
    g.value("tab\tquote\" na\xc3\xafve \xff");
    field("escaped", "tab\tquote\" na\xc3\xafve \xff", false);
    g.key("empty");
    g.value("");
    field("empty", "", false);
    g.key("nothing");
    g.null();
    field("nothing", "null", true);
    g.key("yes");
    g.value(true);
    field("yes", "true", true);
    g.key("none");
    g.begin_array();
    g.end_array();
    field("none", "[]", true);
    g.key("some");
    p.plain_key("some");
    for (JsonWriter* w : {&g, &p}) {
      w->begin_array();
      w->begin_object();
      w->end_object();
      w->end_array();
      w->end_object();
      w->end_array();
    }
    EXPECT_EQ(plain, general) << "indent " << indent;
  }
}

// object_fields() and fields() (a variable's object in one append) print what begin_object(),
// key() and value() print: as the first element and after others, after a key, at the top level,
// with no fields, and for values that need escaping (control bytes, quotes, invalid UTF-8).
TEST(JsonWriter, FieldsWriteWhatKeysAndValuesWrite) {
  const std::string control("nul\0, bell\a, del\x7f", 17);
  const std::vector<JsonWriter::Field> some = {{"name", "plain", false},        {"escaped", control, false},
                                               {"utf8", "na\xc3\xafve \xff\xe0\x80", false}, {"none", "null", true},
                                               {"address", "\"0x7f\"", true},  {"empty", "", false}};
  for (int indent : {-1, 0, 2, 4}) {
    std::string general, plain;
    JsonWriter g(general, indent), p(plain, indent);
    auto by_keys = [&](std::span<const JsonWriter::Field> fields) {
      for (const auto& f : fields) {
        g.key(f.name);
        if (!f.literal) {
          g.value(f.value);
        } else if (f.value == "null") {
          g.null();
        } else {
          g.value(std::string_view(f.value).substr(1, f.value.size() - 2));
        }
      }
    };
    // At the top level.
    g.begin_object();
    by_keys(some);
    g.key("list");
    g.begin_array();
    p.object_fields(some);
    p.plain_key("list");
    p.begin_array();
    // First in an array, after another, empty, then fields after a key and after other fields.
    for (int i = 0; i < 3; ++i) {
      g.begin_object();
      if (i != 1) by_keys(some);
      g.end_object();
      if (i != 1) p.object_fields(some);
      else p.object_fields({});
      p.end_object();
    }
    g.end_array();
    g.key("after_key");
    g.begin_object();
    by_keys(std::span(some).subspan(0, 2));
    by_keys(std::span(some).subspan(2));
    g.end_object();
    g.end_object();
    p.end_array();
    p.plain_key("after_key");
    p.object_fields(std::span(some).subspan(0, 2));
    p.fields(std::span(some).subspan(2));
    p.end_object();
    p.end_object();
    EXPECT_EQ(plain, general) << "indent " << indent;
    EXPECT_EQ(nlohmann::ordered_json::parse(plain).dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
              plain)
        << "indent " << indent;
  }
}

}  // namespace
}  // namespace corelens
