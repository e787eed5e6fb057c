// The main window on a laptop's screen and a desktop's: every sample core opens in a window no
// larger than the screen, with the crash line shown from its first column and no table column
// squeezed to nothing. ctest runs it once per screen size (CORELENS_SCREEN, tests/gui/CMakeLists
// .txt); the screen is the offscreen platform's, configured before the application starts, and
// the test checks that the screen it got is the one it asked for.
#include <QDir>
#include <QHeaderView>
#include <QScreen>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include "gui/main_window.hpp"
#include "gui/source_view.hpp"
#include "gui/thread_model.hpp"
#include "tests/gui/gui_test_support.hpp"

using namespace corelens;
using namespace corelens::gui;

namespace {

constexpr int kLoadTimeoutMs = 120'000;
// Narrower than this, a column shows nothing but an ellipsis.
constexpr int kMinVisibleColumn = 24;

QSize requested_screen() {
  const QStringList wh = qEnvironmentVariable("CORELENS_SCREEN").split(QLatin1Char('x'));
  return wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize();
}

bool open_and_wait(MainWindow& w, const QString& path) {
  QSignalSpy shown(&w, &MainWindow::reportShown);
  QSignalSpy failed(&w, &MainWindow::loadFailed);
  w.openFile(path);
  QElapsedTimer timer;
  timer.start();
  while (shown.count() + failed.count() == 0 && timer.elapsed() < kLoadTimeoutMs) QTest::qWait(20);
  return shown.count() == 1;
}

// The visible widgets that will not shrink below half the window's minimum width, for a failure
// message: the one that widens the window is among them.
QString widest(const QWidget& window) {
  QStringList out;
  const int half = window.minimumSizeHint().width() / 2;
  for (const QWidget* c : window.findChildren<QWidget*>()) {
    if (c->isVisible() && c->minimumSizeHint().width() > half) {
      out << QStringLiteral("%1 \"%2\" %3 px").arg(QString::fromLatin1(c->metaObject()->className()), c->objectName())
                 .arg(c->minimumSizeHint().width());
    }
  }
  return out.join(QStringLiteral(", "));
}

// Every visible column of VIEW wide enough to show some of its text.
void expect_no_column_squeezed(QAbstractItemView* view, QHeaderView* header, const QString& what) {
  for (int c = 0; c < header->count(); ++c) {
    if (header->isSectionHidden(c) || header->sectionSize(c) == 0) continue;
    QVERIFY2(header->sectionSize(c) >= kMinVisibleColumn,
             qPrintable(QStringLiteral("%1 column %2 is %3 px").arg(what).arg(c).arg(header->sectionSize(c))));
  }
  Q_UNUSED(view);
}

}  // namespace

class ScreenFitTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("corelens-tests"));
    const QSize want = requested_screen();
    QVERIFY2(want.isValid(), "CORELENS_SCREEN (WIDTHxHEIGHT) names the screen to test on");
    QCOMPARE(QGuiApplication::primaryScreen()->geometry().size(), want);
  }

  void everySampleFits_data() {
    QTest::addColumn<QString>("core");
    const QDir dir(QStringLiteral(CORELENS_CORES_DIR "/auto"));
    const QStringList cores = dir.entryList({QStringLiteral("*.core")}, QDir::Files, QDir::Name);
    QVERIFY2(cores.size() >= 10, "the sample_cores fixture made the sample cores");
    for (const QString& c : cores) QTest::newRow(qPrintable(c)) << dir.filePath(c);
  }
  void everySampleFits() {
    QFETCH(QString, core);
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, core));
    QTest::qWait(50);  // the layout settles
    const QRect screen = w.screen()->availableGeometry();
    QVERIFY2(screen.contains(w.frameGeometry()),
             qPrintable(QStringLiteral("window %1x%2 at %3,%4 on a %5x%6 screen; %7")
                            .arg(w.frameGeometry().width()).arg(w.frameGeometry().height())
                            .arg(w.frameGeometry().x()).arg(w.frameGeometry().y())
                            .arg(screen.width()).arg(screen.height()).arg(widest(w))));
    QVERIFY2(w.minimumSizeHint().width() <= screen.width(),
             qPrintable(QStringLiteral("the window cannot shrink below %1 px: %2").arg(w.minimumSizeHint().width()).arg(widest(w))));

    // The crash line from its first column (the sample lines are short; a long one is below).
    QCOMPARE(w.sourceView()->horizontalScrollBar()->value(), w.sourceView()->horizontalScrollBar()->minimum());

    expect_no_column_squeezed(w.stackView(), w.stackView()->horizontalHeader(), QStringLiteral("stack"));
    expect_no_column_squeezed(w.threadView(), w.threadView()->header(), QStringLiteral("threads"));
  }

  // The C++ sample: the threads list names the function as its source does, short; the tooltip
  // and the stack have the parameters.
  void cppNamesAreShort() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, corelens::gui::testing::core_path(QStringLiteral("auto"), QStringLiteral("member_string"))));
    const QModelIndex top = w.threadView()->model()->index(0, ThreadModel::ColTop);
    QCOMPARE(top.data().toString(), QStringLiteral("Parser::parse"));
    QVERIFY(top.data(Qt::ToolTipRole).toString().contains(
        QStringLiteral("Parser::parse(std::string const&, std::map<std::string, int>&, unsigned long)")));
    QVERIFY(w.stackView()->columnWidth(FrameModel::ColFunction) <= w.stackView()->viewport()->width());
  }

  // A C file whose crash line is long and crashes far to the right: the pane still starts at
  // column 1, with the crash column marked.
  void longLineStartsAtItsFirstColumn() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile src(dir.filePath(QStringLiteral("long.c")));
    QVERIFY(src.open(QIODevice::WriteOnly));
    QByteArray line = "int f(int *p) { return " + QByteArray(400, ' ') + "*p; }\n";
    src.write("/* a long line */\n" + line);
    src.close();
    SourceView view;
    view.resize(600, 300);
    view.show();
    QVERIFY(view.showLocation(src.fileName(), 2, 424, QString()));
    QTest::qWait(20);
    QVERIFY(view.horizontalScrollBar()->maximum() > 0);  // the line is wider than the pane
    QCOMPARE(view.horizontalScrollBar()->value(), view.horizontalScrollBar()->minimum());
    QCOMPARE(view.extraSelections().size(), 2);  // the line and its crash column
  }
};

int main(int argc, char* argv[]) {
  // The offscreen platform's screen, before QApplication reads QT_QPA_PLATFORM.
  QTemporaryDir config;
  const QSize s = requested_screen();
  if (config.isValid() && s.isValid()) {
    QFile f(config.filePath(QStringLiteral("screen.json")));
    if (f.open(QIODevice::WriteOnly)) {
      f.write(QStringLiteral(R"({"screens": [{"name": "test", "x": 0, "y": 0, "width": %1, "height": %2, )"
                             R"("logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})")
                  .arg(s.width()).arg(s.height()).toUtf8());
      f.close();
      qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + f.fileName().toLocal8Bit());
    }
  }
  QApplication app(argc, argv);
  app.setAttribute(Qt::AA_Use96Dpi, true);
  ScreenFitTest tc;
  return corelens::gui::testing::exec_reporting_skips(&tc, argc, argv);
}

#include "screen_fit_test.moc"
