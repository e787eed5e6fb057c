#include "gui/widgets.hpp"

#include <QApplication>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QStyle>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"

namespace corelens::gui {

CrashBanner::CrashBanner(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("crashBanner"));
  setStyleSheet(QStringLiteral("#crashBanner { background: #fff4f2; border: 1px solid #e0b0a8; border-radius: 4px; }"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 6, 10, 6);
  layout->setSpacing(2);
  headline_ = new QLabel(this);
  details_ = new QLabel(this);
  explanation_ = new QLabel(this);
  process_ = new QLabel(this);
  QFont big = headline_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  big.setBold(true);
  headline_->setFont(big);
  headline_->setStyleSheet(QStringLiteral("color: #a00018;"));
  // Every line wraps: a long C++ name or sentence must never make the window wider than the screen.
  for (QLabel* l : {headline_, details_, explanation_, process_}) l->setWordWrap(true);
  process_->setStyleSheet(QStringLiteral("color: #606060;"));
  for (QLabel* l : {headline_, details_, explanation_, process_}) {
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setTextFormat(Qt::RichText);
    layout->addWidget(l);
  }
  setReport(nullptr);
}

void CrashBanner::setReport(const ReportPtr& report) {
  if (!report) {
    headline_->setText(tr("No dump open"));
    details_->setText(tr("Open a core dump with File > Open (Ctrl+O), or drop one on this window."));
    explanation_->hide();
    process_->hide();
    return;
  }
  CrashSummary s = summarize(*report);
  auto esc = [](const std::string& t) { return QString::fromStdString(t).toHtmlEscaped(); };
  QString head = esc(s.signal);
  if (!s.cause.empty()) head += QStringLiteral(" — ") + esc(s.cause);
  headline_->setText(head);
  QStringList parts;
  if (!s.address.empty()) parts << QStringLiteral("<b>%1</b>").arg(esc(s.address));
  if (!s.thread.empty()) parts << tr("in %1").arg(esc(s.thread));
  if (!s.location.empty()) parts << tr("at <b>%1</b>").arg(esc(s.location));
  details_->setText(parts.join(QStringLiteral(", ")));
  explanation_->setVisible(!s.explanation.empty());
  QString why = QStringLiteral("<b>%1</b>").arg(esc(s.explanation));
  if (!s.category.empty()) why += QStringLiteral(" <span style='color:#606060'>[%1]</span>").arg(esc(s.category));
  explanation_->setText(why);
  process_->setVisible(true);
  process_->setText(esc(s.process));
}

QString CrashBanner::text() const {
  QStringList lines;
  for (QLabel* l : {headline_, details_, explanation_, process_}) {
    if (!l->isHidden()) {
      QTextDocument doc;
      doc.setHtml(l->text());
      lines << doc.toPlainText();
    }
  }
  return lines.join(QLatin1Char('\n'));
}

MessageBar::MessageBar(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("messageBar"));
  setStyleSheet(QStringLiteral("#messageBar { background: #fde2e2; border: 1px solid #d08080; border-radius: 4px; }"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 4, 4);
  auto* icon = new QLabel(this);
  icon->setPixmap(QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(20, 20));
  label_ = new QLabel(this);
  label_->setWordWrap(true);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* close = new QToolButton(this);
  close->setText(QStringLiteral("✕"));
  close->setAutoRaise(true);
  close->setToolTip(tr("Dismiss"));
  layout->addWidget(icon);
  layout->addWidget(label_, 1);
  layout->addWidget(close);
  connect(close, &QToolButton::clicked, this, &QWidget::hide);
  hide();
}

void MessageBar::showError(const QString& message) {
  label_->setText(message);
  show();
}

LoadingBar::LoadingBar(QWidget* parent) : QFrame(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 4, 4);
  label_ = new QLabel(this);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 0);  // busy until the first stage with a count
  progress_->setMaximumWidth(200);
  progress_->setTextVisible(false);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setShortcut(Qt::Key_Escape);
  layout->addWidget(label_, 1);
  layout->addWidget(progress_);
  layout->addWidget(cancel_);
  hide();
}

void LoadingBar::start(const QString& path) {
  path_ = path;
  stage_ = tr("opening the file");
  progress_->setRange(0, 0);
  elapsed_ms_ = 0;
  updateText();
  show();
}

void LoadingBar::setElapsed(qint64 ms) {
  elapsed_ms_ = ms;
  updateText();
}

void LoadingBar::setProgress(const QString& stage, qulonglong done, qulonglong total) {
  stage_ = total ? tr("%1 (%2 of %3)").arg(stage).arg(done).arg(total) : stage;
  if (total) {
    // QProgressBar counts in int: scale big totals down.
    constexpr qulonglong kSteps = 1000;
    progress_->setRange(0, static_cast<int>(std::min(total, kSteps)));
    progress_->setValue(static_cast<int>(total <= kSteps ? done : done * kSteps / total));
  } else {
    progress_->setRange(0, 0);
  }
  updateText();
}

void LoadingBar::updateText() {
  QString text = tr("Analysing %1: %2…").arg(path_.toHtmlEscaped(), stage_.toHtmlEscaped());
  if (elapsed_ms_ >= 1000) text += tr(" %1 s").arg(elapsed_ms_ / 1000);
  label_->setText(text);
}

KernelLogView::KernelLogView(QWidget* parent) : QPlainTextEdit(parent) {
  setReadOnly(true);
  setLineWrapMode(QPlainTextEdit::NoWrap);
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setPlaceholderText(tr("Kernel dumps only: the kernel's log from the printk ring buffer."));
}

void KernelLogView::setLog(const QStringList& lines, const QList<int>& highlight) {
  setPlainText(lines.join(QLatin1Char('\n')));
  // Block number of each record's first line (a record may span several lines).
  QList<int> first_block;
  int block = 0;
  for (const QString& l : lines) {
    first_block << block;
    block += static_cast<int>(l.count(QLatin1Char('\n'))) + 1;
  }
  QList<QTextEdit::ExtraSelection> selections;
  highlighted_blocks_ = 0;
  first_highlighted_ = -1;
  for (int index : highlight) {
    if (index < 0 || index >= lines.size()) continue;
    int lines_in_record = static_cast<int>(lines[index].count(QLatin1Char('\n'))) + 1;
    for (int b = first_block[index]; b < first_block[index] + lines_in_record; ++b) {
      QTextEdit::ExtraSelection sel;
      sel.format.setBackground(QColor(0xff, 0xe4, 0xe0));
      sel.format.setProperty(QTextFormat::FullWidthSelection, true);
      sel.cursor = QTextCursor(document()->findBlockByNumber(b));
      selections << sel;
      ++highlighted_blocks_;
    }
    if (first_highlighted_ < 0 || first_block[index] < first_highlighted_) first_highlighted_ = first_block[index];
  }
  setExtraSelections(selections);
  if (first_highlighted_ >= 0) {
    setTextCursor(QTextCursor(document()->findBlockByNumber(first_highlighted_)));
    centerCursor();
  }
}

HexView::HexView(QWidget* parent) : QWidget(parent), model_(new HexModel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  edit_ = new QLineEdit(this);
  edit_->setPlaceholderText(tr("Go to address: 0x7ffd…, a register (rsp), or a symbol"));
  edit_->setClearButtonEnabled(true);
  auto* prev = new QToolButton(this);
  prev->setArrowType(Qt::UpArrow);
  prev->setToolTip(tr("Previous 1 KiB"));
  auto* next = new QToolButton(this);
  next->setArrowType(Qt::DownArrow);
  next->setToolTip(tr("Next 1 KiB"));
  info_ = new QLabel(this);
  bar->addWidget(edit_, 2);
  bar->addWidget(prev);
  bar->addWidget(next);
  bar->addWidget(info_, 3);
  layout->addLayout(bar);
  table_ = new QTableView(this);
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 4);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setShowGrid(false);
  layout->addWidget(table_);
  connect(edit_, &QLineEdit::returnPressed, this, [this] { goTo(edit_->text()); });
  connect(prev, &QToolButton::clicked, this, [this] { page(-1); });
  connect(next, &QToolButton::clicked, this, [this] { page(1); });
}

void HexView::showAddress(std::uint64_t addr) {
  model_->showAddress(addr);
  table_->resizeColumnsToContents();
  int row = model_->targetRow();
  if (row >= 0) {
    table_->scrollTo(model_->index(row, 0), QAbstractItemView::PositionAtCenter);
    table_->setCurrentIndex(model_->index(row, 0));
  }
  QString where = describer_ ? describer_(addr) : QString();
  info_->setText(QString::fromStdString(hex(addr)) + (where.isEmpty() ? tr("  (not mapped)") : QStringLiteral("  ") + where));
}

bool HexView::goTo(const QString& raw) {
  QString text = raw.trimmed();
  bool ok = false;
  QString digits = text.startsWith(QStringLiteral("0x"), Qt::CaseInsensitive) ? text.mid(2) : text;
  qulonglong value = digits.toULongLong(&ok, 16);
  std::optional<std::uint64_t> addr;
  if (ok && !digits.isEmpty()) addr = value;
  if (!addr && resolver_) addr = resolver_(text);
  if (!addr) {
    info_->setText(tr("'%1' is not an address, a register of the selected frame, or a known symbol").arg(text));
    return false;
  }
  showAddress(*addr);
  return true;
}

void HexView::page(int direction) {
  const std::uint64_t step = 1024;
  std::uint64_t t = model_->target();
  if (direction < 0) t = t >= step ? t - step : 0;
  else t = t + step < t ? t : t + step;
  showAddress(t);
}

}  // namespace corelens::gui
