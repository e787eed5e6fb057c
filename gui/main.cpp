// corelens-gui: open a core dump and see why it crashed in one look.
#include <QApplication>
#include <QIcon>
#include <QImage>
#include <QTimer>
#include <cstdio>
#include <string>
#include <string_view>

#include "gui/command_line.hpp"
#include "gui/main_window.hpp"
#include "unwinder/library_versions.hpp"

namespace {

constexpr int kExitUsage = 64;  // as the CLI's exit codes

// Renders the window into PNG once the dump is shown (or failed to open) and quits: exit 0 when
// the dump was shown and the PNG written, 1 otherwise.
void arm_screenshot(corelens::gui::MainWindow& window, const QString& file) {
  auto shoot = [&window, file](bool shown) {
    // Let the layout settle (column widths, centring of the source line) before grabbing.
    QTimer::singleShot(200, &window, [&window, file, shown] {
      // 256 colours are plenty for a window of text and flat colours, and keep the PNG small
      // enough for a README.
      QImage image = window.grab().toImage().convertToFormat(QImage::Format_Indexed8, Qt::ThresholdDither);
      bool saved = image.save(file, "PNG", 9);
      if (!saved) std::fprintf(stderr, "corelens-gui: cannot write %s\n", qPrintable(file));
      QCoreApplication::exit(shown && saved ? 0 : 1);
    });
  };
  QObject::connect(&window, &corelens::gui::MainWindow::reportShown, &window, [shoot] { shoot(true); });
  QObject::connect(&window, &corelens::gui::MainWindow::loadFailed, &window, [shoot](const QString& message) {
    std::fprintf(stderr, "corelens-gui: %s\n", qPrintable(message));
    shoot(false);
  });
}

}  // namespace

int main(int argc, char** argv) {
  // --help and --version need no display; --screenshot renders offscreen when there is none.
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(qPrintable(corelens::gui::usage_text()), stdout);
      return 0;
    }
    if (a == "--version") {
      std::string v = corelens::version_text("corelens-gui", CORELENS_VERSION,
                                             {{"Qt", std::string(qVersion()) + " (built with " QT_VERSION_STR ")"}});
      std::fwrite(v.data(), 1, v.size(), stdout);
      return 0;
    }
    if (a == "--screenshot" && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
        qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
    }
  }
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("corelens"));
  QCoreApplication::setApplicationName(QStringLiteral("corelens-gui"));
  QCoreApplication::setApplicationVersion(QStringLiteral(CORELENS_VERSION));
  // The installed desktop entry and icon (gui/corelens-gui.desktop): the window's icon in task
  // bars, and on Wayland the link from the window to the entry.
  QGuiApplication::setDesktopFileName(QStringLiteral("corelens-gui"));
  QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("corelens-gui")));

  QStringList args = QCoreApplication::arguments();
  args.removeFirst();
  auto parsed = corelens::gui::parse_command_line(args);
  if (!parsed.error.isEmpty()) {
    std::fprintf(stderr, "corelens-gui: %s\n(try 'corelens-gui --help')\n", qPrintable(parsed.error));
    return kExitUsage;
  }
  const auto& options = parsed.options;

  corelens::gui::MainWindow window;
  window.setAnalyzeOptions(options.analyze);
  if (!options.screenshot.isEmpty()) {
    // A fixed size and the default layout, so screenshots are reproducible; never on screen.
    window.setRememberLayout(false);
    window.setAttribute(Qt::WA_DontShowOnScreen);
    window.resize(1500, 950);
    arm_screenshot(window, options.screenshot);
  } else {
    window.restoreLayout();
  }
  window.show();
  if (!options.core.isEmpty()) window.openFile(options.core);
  else if (options.pid != 0) window.openProcess(options.pid);
  return app.exec();
}
