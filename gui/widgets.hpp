// Small widgets of the main window: the crash banner, the message and loading bars, and the hex
// memory view. They present Report values and MemorySource bytes; none of them parses anything.
#pragma once

#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <functional>
#include <optional>

#include "gui/code_models.hpp"
#include "gui/roles.hpp"

namespace corelens::gui {

// The crash in one look: signal and meaning, si_code, fault address, thread, location, and the
// analysis's explanation when there is one.
class CrashBanner : public QFrame {
  Q_OBJECT
 public:
  explicit CrashBanner(QWidget* parent = nullptr);
  void setReport(const ReportPtr& report);
  QString text() const;  // everything the banner says, as plain text

 private:
  QLabel* headline_;
  QLabel* details_;
  QLabel* explanation_;
  QLabel* process_;
};

// A bar above the content for errors ("not a core dump"), closable.
class MessageBar : public QFrame {
  Q_OBJECT
 public:
  explicit MessageBar(QWidget* parent = nullptr);
  void showError(const QString& message);
  QString message() const { return label_->text(); }

 private:
  QLabel* label_;
};

// "Analysing core.1234: unwinding threads (40 of 1000)… 3 s" with a progress bar and Cancel.
class LoadingBar : public QFrame {
  Q_OBJECT
 public:
  explicit LoadingBar(QWidget* parent = nullptr);
  void start(const QString& path);
  void setElapsed(qint64 ms);
  // STAGE as the library words it; TOTAL 0 makes the bar a busy indicator.
  void setProgress(const QString& stage, qulonglong done, qulonglong total);
  QPushButton* cancelButton() const { return cancel_; }
  QString text() const { return label_->text(); }

 private:
  void updateText();
  QLabel* label_;
  QProgressBar* progress_;
  QPushButton* cancel_;
  QString path_;
  QString stage_;
  qint64 elapsed_ms_ = 0;
};

// The kernel log of a kernel dump, as `makedumpfile --dump-dmesg` prints it, with the oops and
// panic records highlighted and the first of them scrolled into view.
class KernelLogView : public QPlainTextEdit {
  Q_OBJECT
 public:
  explicit KernelLogView(QWidget* parent = nullptr);
  // LINES: one entry per record (multi-line records contain newlines); HIGHLIGHT: indexes into LINES.
  void setLog(const QStringList& lines, const QList<int>& highlight);
  int highlightedBlocks() const { return highlighted_blocks_; }
  int firstHighlightedBlock() const { return first_highlighted_; }

 private:
  int highlighted_blocks_ = 0;
  int first_highlighted_ = -1;
};

// Process memory, 16 bytes a row, with go-to-address and paging.
class HexView : public QWidget {
  Q_OBJECT
 public:
  // Turns what the user typed (a register name, a symbol) into an address; numbers are handled
  // by the view itself.
  using Resolver = std::function<std::optional<std::uint64_t>(const QString&)>;
  using Describer = std::function<QString(std::uint64_t)>;

  explicit HexView(QWidget* parent = nullptr);
  HexModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QLineEdit* addressEdit() const { return edit_; }
  void setResolver(Resolver r) { resolver_ = std::move(r); }
  void setDescriber(Describer d) { describer_ = std::move(d); }
  void showAddress(std::uint64_t addr);
  bool goTo(const QString& text);  // false (and says why) when TEXT names no address

 private:
  void page(int direction);
  HexModel* model_;
  QTableView* table_;
  QLineEdit* edit_;
  QLabel* info_;
  Resolver resolver_;
  Describer describer_;
};

}  // namespace corelens::gui
