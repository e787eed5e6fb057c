// helpgen: turns the --help texts (cli/help/*.txt, gui/help.txt) into a man page and into bash
// and zsh completion scripts at build time, so --help, the man page and the completions can
// never say different things. A build tool: it reads only the project's own texts.
//
// The help text format (what `corelens --help` prints, verbatim):
//   usage: PROGRAM ...            synopsis lines; continuation lines are indented
//                                  (blank line)
//   A paragraph.                  unindented lines: the description, or text in a section
//   heading:                      an unindented line ending in ':' starts a section
//     TERM        description     an item: two spaces, the term, two or more spaces, text
//                 more text       continuation lines are indented further
//   In sections whose heading starts with "options", a TERM is ", "-separated forms
//   "--name [ARG]"; ARG "a|b|c" is a choice, DIR a directory, FILE, PATH or CORE a file.
//   In "commands:", a TERM is a subcommand name.
//
// usage:
//   helpgen man OUT.1 PROGRAM SECTION VERSION "SUMMARY" MAIN.txt [SUBCOMMAND=FILE.txt ...]
//   helpgen bash OUT PROGRAM MAIN.txt [SUBCOMMAND=FILE.txt ...]
//   helpgen zsh OUT PROGRAM MAIN.txt [SUBCOMMAND=FILE.txt ...]
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Item {
  std::string term;
  std::vector<std::string> text;
};

// A section is a sequence of paragraphs and items, in the order written.
struct Block {
  bool is_item = false;
  std::vector<std::string> lines;  // a paragraph's lines
  Item item;
};

struct Section {
  std::string heading;  // "" for the description before the first heading
  std::vector<Block> blocks;
};

struct Help {
  std::string name;  // "" for the main program, else the subcommand
  std::vector<std::string> synopsis;
  std::vector<Section> sections;
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "helpgen: %s\n", message.c_str());
  std::exit(1);
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

std::size_t indent_of(const std::string& s) {
  std::size_t n = s.find_first_not_of(' ');
  return n == std::string::npos ? s.size() : n;
}

Help parse(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find('\t') != std::string::npos) die(path + ": tabs are not allowed (the layout is by spaces)");
    lines.push_back(line);
  }
  Help help;
  help.name = name;
  std::size_t i = 0;
  if (lines.empty() || !lines[0].starts_with("usage: ")) die(path + ": the first line must start with 'usage: '");
  help.synopsis.push_back(trim(lines[0].substr(7)));
  for (i = 1; i < lines.size() && !lines[i].empty() && lines[i][0] == ' '; ++i) help.synopsis.push_back(trim(lines[i]));
  help.sections.push_back({});
  bool in_paragraph = false;
  for (; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    Section& section = help.sections.back();
    if (trim(line).empty()) {
      in_paragraph = false;
      continue;
    }
    std::size_t indent = indent_of(line);
    if (indent == 0 && line.back() == ':' && line.find(". ") == std::string::npos) {
      help.sections.push_back({line.substr(0, line.size() - 1), {}});
      in_paragraph = false;
    } else if (indent == 0) {
      if (!in_paragraph) section.blocks.push_back({});
      section.blocks.back().lines.push_back(line);
      in_paragraph = true;
    } else if (indent == 2) {
      Block b;
      b.is_item = true;
      std::size_t gap = line.find("  ", 2);
      b.item.term = trim(line.substr(2, gap == std::string::npos ? std::string::npos : gap - 2));
      if (gap != std::string::npos && !trim(line.substr(gap)).empty()) b.item.text.push_back(trim(line.substr(gap)));
      section.blocks.push_back(b);
      in_paragraph = false;
    } else {
      if (section.blocks.empty() || !section.blocks.back().is_item) die(path + ": indented text outside an item: " + line);
      section.blocks.back().item.text.push_back(trim(line));
    }
  }
  // An option item's term is ", "-separated forms "-x", "--name" or "--name ARG": anything else
  // is a layout mistake (a description one space from its term, say), which would put words
  // in the completions and the man page as if they were options.
  static const std::regex form(R"(^(-[A-Za-z0-9]|--[a-z0-9][a-z0-9-]*)( [^ ]+)?$)");
  for (const auto& section : help.sections) {
    if (!section.heading.starts_with("options")) continue;
    for (const auto& b : section.blocks) {
      if (!b.is_item) continue;
      std::string term = b.item.term;
      for (std::size_t start = 0; start < term.size();) {
        std::size_t comma = term.find(", ", start);
        std::string f = term.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!std::regex_match(f, form)) die(path + ": '" + f + "' in '" + term + "' is not an option form");
        start = comma == std::string::npos ? term.size() : comma + 2;
      }
    }
  }
  return help;
}

// ---- roff ------------------------------------------------------------------------------------

// Escapes text for roff: backslashes, and '-' as \- so options stay searchable and copyable
// (a bare '-' may render as a hyphen).
std::string roff_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  return out;
}

// `code` spans in bold.
std::string roff_text(const std::string& s) {
  std::string out;
  bool code = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '`') {
      out += code ? "\\fR" : "\\fB";
      code = !code;
      continue;
    }
    out += roff_escape(std::string(1, s[i]));
  }
  if (code) out += "\\fR";
  return out;
}

// A line must not start with '.' or '\'' (roff requests).
std::string roff_line(const std::string& s) { return (s.starts_with(".") || s.starts_with("'")) ? "\\&" + s : s; }

bool is_metavar(const std::string& word) {
  bool upper = false;
  for (char c : word) {
    if (std::islower(static_cast<unsigned char>(c)) && word.find('|') == std::string::npos) return false;
    upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
  }
  return upper || word.find('|') != std::string::npos;
}

// "--exe PATH, -c CORE": options bold, arguments italic.
std::string roff_term(const std::string& term) {
  std::string out;
  std::istringstream words(term);
  bool first = true;
  for (std::string w; words >> w;) {
    std::string comma;
    if (w.ends_with(",")) {
      comma = ",";
      w.pop_back();
    }
    if (!first) out += " ";
    first = false;
    if (w.starts_with("-") || w.starts_with("`")) out += "\\fB" + roff_escape(w) + "\\fR";
    else if (is_metavar(w)) out += "\\fI" + roff_escape(w) + "\\fR";
    else out += roff_escape(w);
    out += comma;
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void roff_section_body(std::string& out, const Section& section) {
  for (const auto& b : section.blocks) {
    if (b.is_item) {
      out += ".TP\n" + roff_line(roff_term(b.item.term)) + "\n";
      for (const auto& t : b.item.text) out += roff_line(roff_text(t)) + "\n";
    } else {
      out += ".PP\n";
      for (const auto& l : b.lines) out += roff_line(roff_text(l)) + "\n";
    }
  }
}

std::string roff_synopsis(const Help& h) {
  std::string out = ".nf\n";
  for (const auto& s : h.synopsis) out += roff_line(roff_escape(s)) + "\n";
  return out + ".fi\n";
}

std::string man_page(const std::string& program, const std::string& section, const std::string& version,
                     const std::string& summary, const std::vector<Help>& helps) {
  const Help& main = helps.front();
  std::string out = ".\\\" Generated by helpgen from the --help texts; do not edit.\n";
  out += ".TH " + upper(program) + " " + section + " \"\" \"" + program + " " + version + "\" \"User Commands\"\n";
  // No hyphenation, ragged right: option names and paths stay whole, searchable and copyable.
  out += ".nh\n.ad l\n";
  out += ".SH NAME\n" + roff_escape(program) + " \\- " + roff_text(summary) + "\n";
  out += ".SH SYNOPSIS\n" + roff_synopsis(main);
  for (const auto& s : main.sections) {
    out += ".SH " + (s.heading.empty() ? std::string("DESCRIPTION") : "\"" + upper(s.heading) + "\"") + "\n";
    roff_section_body(out, s);
  }
  for (std::size_t i = 1; i < helps.size(); ++i) {
    const Help& h = helps[i];
    out += ".SH \"" + upper(program + " " + h.name) + "\"\n" + roff_synopsis(h);
    for (const auto& s : h.sections) {
      if (!s.heading.empty()) {
        std::string heading = s.heading;
        heading[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(heading[0])));
        out += ".SS \"" + heading + "\"\n";
      }
      roff_section_body(out, s);
    }
  }
  out += ".SH \"SEE ALSO\"\n";
  out += program == "corelens" ? "\\fBcorelens\\-gui\\fR(1), " : "\\fBcorelens\\fR(1), ";
  out += "\\fBgdb\\fR(1), \\fBcoredumpctl\\fR(1), \\fBcore\\fR(5)\n";
  return out;
}

// ---- completions -----------------------------------------------------------------------------

// The gist of an item's text for a completion menu: up to the first aside, clause or sentence end.
std::string short_description(const std::vector<std::string>& text) {
  std::string all;
  for (const auto& t : text) all += (all.empty() ? "" : " ") + t;
  std::size_t cut = std::min({all.find(" ("), all.find("; "), all.find(". "), all.find(": ")});
  return trim(all.substr(0, cut));
}

struct Option {
  std::string name;      // "--format", "-c"
  std::string arg;       // "" for a flag
  std::string describe;  // the first line of its description
  enum Kind { flag, choice, file, dir, value } kind = flag;
  std::vector<std::string> choices;
};

std::vector<Option> options_of(const Help& h) {
  std::vector<Option> out;
  for (const auto& s : h.sections) {
    if (!s.heading.starts_with("options")) continue;
    for (const auto& b : s.blocks) {
      if (!b.is_item) continue;
      std::string forms = b.item.term;
      const std::size_t first_of_item = out.size();
      std::size_t start = 0;
      while (start < forms.size()) {
        std::size_t comma = forms.find(", ", start);
        std::string form = trim(forms.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        start = comma == std::string::npos ? forms.size() : comma + 2;
        if (!form.starts_with("-")) continue;
        Option o;
        std::size_t sp = form.find(' ');
        o.name = form.substr(0, sp);
        o.arg = sp == std::string::npos ? "" : trim(form.substr(sp + 1));
        o.describe = short_description(b.item.text);
        if (o.arg.empty()) {
          o.kind = Option::flag;
        } else if (o.arg.find('|') != std::string::npos) {
          o.kind = Option::choice;
          std::string a = o.arg;
          for (std::size_t p = 0; p <= a.size();) {
            std::size_t bar = a.find('|', p);
            o.choices.push_back(a.substr(p, bar == std::string::npos ? std::string::npos : bar - p));
            p = bar == std::string::npos ? a.size() + 1 : bar + 1;
          }
        } else if (o.arg == "DIR") {
          o.kind = Option::dir;
        } else if (o.arg.find("FILE") != std::string::npos || o.arg == "PATH" || o.arg == "CORE") {
          o.kind = Option::file;
        } else {
          o.kind = Option::value;
        }
        out.push_back(o);
      }
      // "-c, --core CORE": the short form takes the long form's argument.
      for (std::size_t k = first_of_item; k + 1 < out.size(); ++k) {
        if (out[k].arg.empty() && out[k].name.size() == 2 && !out[k + 1].arg.empty()) {
          std::string name = out[k].name;
          out[k] = out[k + 1];
          out[k].name = name;
        }
      }
    }
  }
  return out;
}

std::vector<Item> commands_of(const Help& h) {
  std::vector<Item> out;
  for (const auto& s : h.sections) {
    if (s.heading != "commands") continue;
    for (const auto& b : s.blocks) {
      if (b.is_item) out.push_back(b.item);
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string identifier(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// The case arms that complete an option's value, and the option words, for one command.
void bash_command(std::string& out, const std::string& pattern, const std::vector<Option>& options) {
  out += "    " + pattern + ")\n      case $prev in\n";
  for (const auto& o : options) {
    if (o.kind == Option::flag) continue;
    out += "        " + o.name + ") ";
    if (o.kind == Option::choice) out += "COMPREPLY=($(compgen -W '" + join(o.choices, " ") + "' -- \"$cur\"))";
    else if (o.kind == Option::dir) out += "COMPREPLY=($(compgen -d -- \"$cur\"))";
    else if (o.kind == Option::file) out += "COMPREPLY=($(compgen -f -- \"$cur\"))";
    else out += "COMPREPLY=()";
    out += "; return ;;\n";
  }
  std::vector<std::string> names;
  for (const auto& o : options) names.push_back(o.name);
  out += "      esac\n      opts='" + join(names, " ") + "' ;;\n";
}

std::string bash_script(const std::string& program, const std::vector<Help>& helps) {
  const std::string fn = "_" + identifier(program);
  std::vector<std::string> command_names;
  for (const auto& c : commands_of(helps.front())) command_names.push_back(c.term);
  std::string out = "# bash completion for " + program + ". Generated by helpgen from the --help texts; do not edit.\n";
  out += fn + "() {\n";
  out += "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd='' i dashdash=0 opts\n";
  // "--color=al": bash splits at '=' (COMP_WORDBREAKS).
  out += "  if [[ $cur == = ]]; then cur=''; elif [[ $prev == = ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n";
  out += "  for ((i = 1; i < COMP_CWORD; i++)); do\n";
  out += "    case ${COMP_WORDS[i]} in\n";
  if (!command_names.empty()) out += "      " + join(command_names, "|") + ") [[ -z $cmd ]] && cmd=${COMP_WORDS[i]} ;;\n";
  out += "      --) dashdash=$i ;;\n    esac\n  done\n";
  // corelens run ... -- COMMAND: a command name, then whatever that command takes (files).
  out += "  if ((dashdash > 0)); then\n";
  out += "    if ((COMP_CWORD == dashdash + 1)); then COMPREPLY=($(compgen -c -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi\n";
  out += "    return\n  fi\n";
  out += "  case $cmd in\n";
  for (std::size_t i = 1; i < helps.size(); ++i) bash_command(out, helps[i].name, options_of(helps[i]));
  bash_command(out, "*", options_of(helps.front()));
  out += "  esac\n";
  out += "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return; fi\n";
  out += "  COMPREPLY=($(compgen -f -- \"$cur\"))\n";
  if (!command_names.empty()) {
    out += "  if [[ -z $cmd ]] && ((COMP_CWORD == 1)); then COMPREPLY+=($(compgen -W '" + join(command_names, " ") +
           "' -- \"$cur\")); fi\n";
  }
  out += "}\ncomplete -o filenames -o bashdefault -F " + fn + " " + program + "\n";
  return out;
}

std::string zsh_quote(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else if (c == '[' || c == ']') out += std::string("\\") + c;
    else if (c == '`') continue;
    else out += c;
  }
  return out;
}

std::string zsh_specs(const std::vector<Option>& options) {
  std::string out;
  for (const auto& o : options) {
    bool repeatable = o.name == "--debug-dir";
    out += "    '" + std::string(repeatable ? "*" : "") + o.name + "[" + zsh_quote(o.describe) + "]";
    std::string arg = zsh_quote(o.arg);
    if (o.kind == Option::choice) out += ":" + arg + ":(" + join(o.choices, " ") + ")";
    else if (o.kind == Option::dir) out += ":" + arg + ":_files -/";
    else if (o.kind == Option::file) out += ":" + arg + ":_files";
    else if (o.kind == Option::value) out += ":" + arg + ": ";
    out += "' \\\n";
  }
  return out;
}

std::string zsh_script(const std::string& program, const std::vector<Help>& helps) {
  const std::string fn = "_" + identifier(program);
  auto commands = commands_of(helps.front());
  std::string out = "#compdef " + program + "\n# zsh completion for " + program +
                    ". Generated by helpgen from the --help texts; do not edit.\n";
  out += fn + "_default() {\n  _arguments -s \\\n" + zsh_specs(options_of(helps.front())) + "    '*:core file:_files'\n}\n";
  for (std::size_t i = 1; i < helps.size(); ++i) {
    const Help& h = helps[i];
    std::string rest = h.name == "run" ? "    '*::command:_normal'\n" : "    '*:core file or directory:_files'\n";
    out += fn + "_" + identifier(h.name) + "() {\n  _arguments -s \\\n" + zsh_specs(options_of(h)) + rest + "}\n";
  }
  out += fn + "() {\n";
  if (!commands.empty()) {
    out += "  local -a commands\n  commands=(\n";
    for (const auto& c : commands) {
      out += "    '" + c.term + ":" + zsh_quote(c.text.empty() ? "" : c.text.front()) + "'\n";
    }
    out += "  )\n";
    out += "  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then\n";
    out += "    _describe -t commands command commands\n    _files\n    return\n  fi\n";
    out += "  case $words[2] in\n";
    for (std::size_t i = 1; i < helps.size(); ++i) {
      out += "    " + helps[i].name + ") shift words; (( CURRENT-- )); " + fn + "_" + identifier(helps[i].name) + " ;;\n";
    }
    out += "    analyze) shift words; (( CURRENT-- )); " + fn + "_default ;;\n";
    out += "    *) " + fn + "_default ;;\n  esac\n";
  } else {
    out += "  " + fn + "_default\n";
  }
  out += "}\n" + fn + " \"$@\"\n";
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) die("cannot write " + path);
}

std::vector<Help> parse_all(int argc, char** argv, int first) {
  std::vector<Help> helps;
  helps.push_back(parse(argv[first], ""));
  for (int i = first + 1; i < argc; ++i) {
    std::string a = argv[i];
    std::size_t eq = a.find('=');
    if (eq == std::string::npos) die("expected SUBCOMMAND=FILE, got " + a);
    helps.push_back(parse(a.substr(eq + 1), a.substr(0, eq)));
  }
  return helps;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "man" && argc >= 8) {
    write_file(argv[2], man_page(argv[3], argv[4], argv[5], argv[6], parse_all(argc, argv, 7)));
  } else if ((mode == "bash" || mode == "zsh") && argc >= 5) {
    auto helps = parse_all(argc, argv, 4);
    write_file(argv[2], mode == "bash" ? bash_script(argv[3], helps) : zsh_script(argv[3], helps));
  } else {
    die("usage: helpgen man OUT PROGRAM SECTION VERSION SUMMARY MAIN.txt [SUB=FILE...] | "
        "helpgen bash|zsh OUT PROGRAM MAIN.txt [SUB=FILE...]");
  }
  return 0;
}
