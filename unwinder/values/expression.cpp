#include "unwinder/values/expression.hpp"

#include <cctype>
#include <memory>
#include <vector>

#include "unwinder/values/expression_tree.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxNesting = 64;

// ---- tokens -------------------------------------------------------------------------------

struct Token {
  enum Kind { end, name, number, character, punct } kind = end;
  std::string text;
  std::uint64_t value = 0;
  bool is_unsigned = false, is_long = false;
};

Unavailable syntax(const std::string& what) { return value_error(what); }

Known<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  static constexpr std::string_view kTwo[] = {"->", "::", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>"};
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    Token t;
    if (std::isalpha(c) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Token::name;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (std::isdigit(c)) {
      std::size_t j = i;
      int base = 10;
      if (s[j] == '0' && j + 1 < s.size() && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
        base = 16;
        j += 2;
      } else if (s[j] == '0') {
        base = 8;
      }
      std::uint64_t v = 0;
      std::size_t digits = 0;
      for (; j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j])); ++j, ++digits) {
        int d = std::isdigit(static_cast<unsigned char>(s[j])) ? s[j] - '0' : std::tolower(s[j]) - 'a' + 10;
        if (d >= base) return unavailable(syntax("Invalid number \"" + std::string(s.substr(i, j - i + 1)) + "\"."));
        if (v > (~std::uint64_t{0} - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) {
          return unavailable(syntax("Numeric constant too large."));
        }
        v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
      }
      if (base == 16 && digits == 0) return unavailable(syntax("Invalid number \"0x\"."));
      for (; j < s.size() && (s[j] == 'u' || s[j] == 'U' || s[j] == 'l' || s[j] == 'L'); ++j) {
        if (s[j] == 'u' || s[j] == 'U') t.is_unsigned = true;
        else t.is_long = true;
      }
      if (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.')) {
        return unavailable(syntax("Invalid number \"" + std::string(s.substr(i, j - i + 1)) + "\"."));
      }
      t.kind = Token::number;
      t.value = v;
      i = j;
    } else if (c == '\'') {
      // 'a', '\n', '\0', '\x41'
      std::size_t j = i + 1;
      if (j >= s.size()) return unavailable(syntax("Unmatched single quote."));
      std::uint64_t v = static_cast<unsigned char>(s[j]);
      if (s[j] == '\\' && j + 1 < s.size()) {
        char e = s[++j];
        static const std::string_view kEsc = "n\nt\tr\ra\ab\bf\fv\v0\0\\\\''\"\"";
        auto at = kEsc.find(e);
        if (e == 'x') {
          v = 0;
          while (j + 1 < s.size() && std::isxdigit(static_cast<unsigned char>(s[j + 1]))) {
            v = (v << 4) | static_cast<std::uint64_t>(std::isdigit(static_cast<unsigned char>(s[j + 1])) ? s[j + 1] - '0' : std::tolower(s[j + 1]) - 'a' + 10);
            v &= 0xff;
            ++j;
          }
        } else if (at != std::string_view::npos && at % 2 == 0) {
          v = static_cast<unsigned char>(kEsc[at + 1]);
        } else {
          return unavailable(syntax("Unknown escape \\" + std::string(1, e) + "."));
        }
      }
      if (j + 1 >= s.size() || s[j + 1] != '\'') return unavailable(syntax("Unmatched single quote."));
      t.kind = Token::character;
      t.value = v;
      i = j + 2;
    } else {
      t.kind = Token::punct;
      t.text = std::string(1, static_cast<char>(c));
      for (auto two : kTwo) {
        if (s.substr(i, 2) == two) t.text = std::string(two);
      }
      if (std::string_view(".*&[]()+-!~/%<>,").find(static_cast<char>(c)) == std::string_view::npos && t.text.size() == 1) {
        return unavailable(syntax("Invalid character '" + std::string(1, static_cast<char>(c)) + "' in expression."));
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  out.push_back(Token{});
  return out;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, ExpressionScope& scope) : t_(std::move(tokens)), scope_(scope) {}

  Known<NodePtr> parse() {
    auto n = binary(0);
    if (!n) return n;
    if (peek().kind != Token::end) return fail("A syntax error in expression, near `" + rest() + "'.");
    return n;
  }

 private:
  const Token& peek(std::size_t k = 0) const { return t_[std::min(pos_ + k, t_.size() - 1)]; }
  bool is(const char* p, std::size_t k = 0) const { return peek(k).kind == Token::punct && peek(k).text == p; }
  std::string rest() const {
    std::string out;
    for (std::size_t i = pos_; i < t_.size() && t_[i].kind != Token::end; ++i) {
      out += (out.empty() ? "" : " ") + (t_[i].kind == Token::number ? std::to_string(t_[i].value) : t_[i].text);
    }
    return out;
  }
  Known<NodePtr> fail(const std::string& what) { return unavailable(syntax(what)); }
  static NodePtr make(Node::Kind k, NodePtr a = nullptr, NodePtr b = nullptr, std::string text = {}) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->a = std::move(a);
    n->b = std::move(b);
    n->text = std::move(text);
    return n;
  }

  static int precedence(const std::string& op) {
    if (op == "||") return 1;
    if (op == "&&") return 2;
    if (op == "==" || op == "!=") return 3;
    if (op == "<" || op == ">" || op == "<=" || op == ">=") return 4;
    if (op == "<<" || op == ">>") return 5;
    if (op == "+" || op == "-") return 6;
    if (op == "*" || op == "/" || op == "%") return 7;
    return 0;
  }

  Known<NodePtr> binary(int min) {
    if (++depth_ > kMaxNesting) return fail("Expression nested too deeply.");
    auto left = unary();
    if (!left) return left;
    for (;;) {
      const Token& op = peek();
      int p = op.kind == Token::punct ? precedence(op.text) : 0;
      if (p == 0 || p <= min) break;
      std::string text = op.text;
      ++pos_;
      auto right = binary(p);
      if (!right) return right;
      *left = make(Node::binary, std::move(*left), std::move(*right), text);
    }
    --depth_;
    return left;
  }

  // A type name at the current position, up to its closing ')'; nullopt when it is not one.
  std::optional<std::string> type_name_ahead() {
    static const std::string_view kKeywords[] = {"struct", "union", "enum", "class", "const", "volatile", "unsigned",
                                                 "signed", "int", "char", "short", "long", "float", "double", "void",
                                                 "bool", "_Bool"};
    std::size_t k = 0;
    std::string out;
    bool keyword = false;
    while (peek(k).kind == Token::name || (peek(k).kind == Token::punct && peek(k).text == "::")) {
      for (auto kw : kKeywords) keyword = keyword || peek(k).text == kw;
      out += peek(k).kind == Token::punct || out.empty() || out.ends_with("::") ? peek(k).text : " " + peek(k).text;
      ++k;
    }
    if (out.empty()) return std::nullopt;
    std::string base = out;
    while (is("*", k) || is("&", k)) {
      out += is("*", k) ? (out.ends_with("*") ? "*" : " *") : " &";
      ++k;
    }
    if (!is(")", k)) return std::nullopt;
    if (!keyword && !scope_.type_named(base)) return std::nullopt;
    pos_ += k + 1;
    return out;
  }

  Known<NodePtr> unary() {
    if (++depth_ > kMaxNesting) return fail("Expression nested too deeply.");
    struct Guard {
      int& d;
      ~Guard() { --d; }
    } guard{depth_};
    const Token& t = peek();
    if (t.kind == Token::punct) {
      static const std::pair<const char*, Node::Kind> kPrefix[] = {
          {"*", Node::deref}, {"&", Node::address}, {"-", Node::negate}, {"!", Node::logical_not},
          {"~", Node::complement}, {"+", Node::plus}};
      for (auto [p, k] : kPrefix) {
        if (t.text == p) {
          ++pos_;
          auto operand = unary();
          if (!operand) return operand;
          return make(k, std::move(*operand));
        }
      }
      if (t.text == "(") {
        std::size_t save = pos_;
        ++pos_;
        if (auto type = type_name_ahead()) {
          auto operand = unary();
          if (!operand) return operand;
          return make(Node::cast, std::move(*operand), nullptr, *type);
        }
        pos_ = save;
      }
    }
    if (t.kind == Token::name && t.text == "sizeof") {
      ++pos_;
      if (is("(")) {
        std::size_t save = pos_;
        ++pos_;
        if (auto type = type_name_ahead()) return make(Node::size_of_type, nullptr, nullptr, *type);
        pos_ = save;
      }
      auto operand = unary();
      if (!operand) return operand;
      return make(Node::size_of_expr, std::move(*operand));
    }
    return postfix();
  }

  Known<NodePtr> postfix() {
    auto n = primary();
    if (!n) return n;
    for (int steps = 0; steps < 1024; ++steps) {
      if (is(".") || is("->")) {
        bool arrow = is("->");
        ++pos_;
        if (peek().kind != Token::name) return fail("A member name must follow `" + std::string(arrow ? "->" : ".") + "'.");
        std::string member = peek().text;
        ++pos_;
        *n = make(arrow ? Node::arrow : Node::member, std::move(*n), nullptr, member);
      } else if (is("[")) {
        ++pos_;
        auto idx = binary(0);
        if (!idx) return idx;
        if (!is("]")) return fail("Missing `]'.");
        ++pos_;
        *n = make(Node::index, std::move(*n), std::move(*idx));
      } else {
        break;
      }
    }
    return n;
  }

  Known<NodePtr> primary() {
    const Token& t = peek();
    if (t.kind == Token::number || t.kind == Token::character) {
      auto n = make(t.kind == Token::number ? Node::number : Node::character);
      n->value = t.value;
      n->is_unsigned = t.is_unsigned;
      n->is_long = t.is_long;
      ++pos_;
      return n;
    }
    if (t.kind == Token::name) {
      std::string name = t.text;
      ++pos_;
      while (is("::") && peek(1).kind == Token::name) {  // ns::global
        name += "::" + peek(1).text;
        pos_ += 2;
      }
      return make(Node::name, nullptr, nullptr, name);
    }
    if (is("(")) {
      ++pos_;
      auto n = binary(0);
      if (!n) return n;
      if (!is(")")) return fail("Missing `)'.");
      ++pos_;
      return n;
    }
    if (t.kind == Token::end) return fail("A syntax error in expression, near `'.");
    return fail("A syntax error in expression, near `" + rest() + "'.");
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  ExpressionScope& scope_;
};

}  // namespace

Known<Value> evaluate_expression(std::string_view text, ExpressionScope& scope, TypeTable& types,
                                 const ValueMemory& memory, const FormatOptions& options) {
  if (text.size() > kMaxExpressionLength) {
    return unavailable(value_error("an expression of " + std::to_string(text.size()) + " characters is too long"));
  }
  auto tokens = tokenize(text);
  if (!tokens) return unavailable(tokens.error());
  Parser parser(std::move(*tokens), scope);
  auto tree = parser.parse();
  if (!tree) return unavailable(tree.error());
  return evaluate_tree(**tree, scope, types, memory, options, 0);
}

}  // namespace corelens::values
