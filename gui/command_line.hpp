// corelens-gui's command line: the same options and argument orders as the CLI's analyze.
#pragma once

#include <QString>
#include <QStringList>

#include "unwinder/pipeline/session.hpp"

namespace corelens::gui {

struct LaunchOptions {
  QString core;        // empty: start with no dump open
  int pid = 0;         // --pid PID: a running process instead of a core
  QString screenshot;  // --screenshot FILE.png: render the window into FILE and exit
  corelens::AnalyzeOptions analyze;
  bool help = false;
  bool version = false;
};

struct ParsedCommandLine {
  LaunchOptions options;
  QString error;  // non-empty: a usage error to print
};

// ARGS excludes the program name (and Qt's own options, which QApplication removes).
ParsedCommandLine parse_command_line(const QStringList& args);
QString usage_text();

}  // namespace corelens::gui
