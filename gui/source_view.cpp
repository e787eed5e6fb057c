#include "gui/source_view.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QPainter>
#include <QScrollBar>
#include <QSettings>
#include <QHelpEvent>
#include <QTextBlock>
#include <QToolTip>

namespace corelens::gui {
namespace {

// Source files larger than this are not shown (a hostile debug info can name any file).
constexpr qint64 kMaxSourceBytes = 16 * 1024 * 1024;

class LineNumbers : public QWidget {
 public:
  explicit LineNumbers(SourceView* view) : QWidget(view), view_(view) {}
  QSize sizeHint() const override { return {view_->lineNumberWidth(), 0}; }

 protected:
  void paintEvent(QPaintEvent* event) override { view_->paintLineNumbers(event); }

 private:
  SourceView* view_;
};

}  // namespace

QString SourcePathMap::resolve(const QString& path, const QString& compilation_dir) const {
  if (path.isEmpty()) return {};
  // Candidates, most specific first. libdw already joins some relative names with the unit's
  // directory and not others (Debian's glibc: "./nptl/pthread_kill.c" in "./nptl", but
  // "../sysdeps/posix/raise.c" in "./signal"), so both the joined and the bare name are tried;
  // only an existing file counts.
  QStringList names;
  if (QDir::isAbsolutePath(path)) {
    names << path;
  } else {
    if (!compilation_dir.isEmpty()) names << compilation_dir + QLatin1Char('/') + path;
    names << path;
  }
  // Relative names are never looked up under the GUI's own working directory: only an absolute
  // path, as written or after a rule, is opened.
  auto existing = [](const QString& name) { return QDir::isAbsolutePath(name) && QFileInfo(name).isFile(); };
  for (const QString& name : names) {
    if (existing(name)) return QDir::cleanPath(name);
    for (const auto& [from, to] : rules) {
      if (from.isEmpty() || !name.startsWith(from)) continue;
      QString candidate = to + name.mid(from.size());
      if (existing(candidate)) return QDir::cleanPath(candidate);
    }
  }
  return {};
}

SourcePathMap SourcePathMap::load() { return fromText(QSettings().value(QStringLiteral("source/pathMap")).toString()); }

void SourcePathMap::save() const { QSettings().setValue(QStringLiteral("source/pathMap"), toText()); }

QString SourcePathMap::toText() const {
  QStringList lines;
  for (const auto& [from, to] : rules) lines << from + QStringLiteral("=>") + to;
  return lines.join(QLatin1Char('\n'));
}

SourcePathMap SourcePathMap::fromText(const QString& text) {
  SourcePathMap map;
  for (const QString& line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
    qsizetype sep = line.indexOf(QStringLiteral("=>"));
    if (sep <= 0) continue;
    map.rules.append({line.left(sep).trimmed(), line.mid(sep + 2).trimmed()});
  }
  return map;
}

SourceView::SourceView(QWidget* parent) : QPlainTextEdit(parent), numbers_(new LineNumbers(this)) {
  setReadOnly(true);
  setLineWrapMode(QPlainTextEdit::NoWrap);
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { setViewportMargins(lineNumberWidth(), 0, 0, 0); });
  connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
    if (dy) numbers_->scroll(0, dy);
    else numbers_->update(0, rect.y(), numbers_->width(), rect.height());
  });
  setViewportMargins(lineNumberWidth(), 0, 0, 0);
}

int SourceView::lineNumberWidth() const {
  int digits = static_cast<int>(QString::number(std::max(1, blockCount())).size());
  return 12 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(digits, 3);
}

QString SourceView::nameAt(const QPoint& pos) const {
  QTextCursor c = cursorForPosition(pos);
  const QString line = c.block().text();
  int at = c.positionInBlock();
  auto ident = [](QChar ch) { return ch.isLetterOrNumber() || ch == QLatin1Char('_'); };
  if (at >= line.size() || !ident(line[at])) {
    if (at > 0 && at <= line.size() && ident(line[at - 1])) --at;
    else return {};
  }
  int start = at, end = at;
  while (start > 0 && ident(line[start - 1])) --start;
  while (end < line.size() && ident(line[end])) ++end;
  // The member path leading to it: "r->next" for "next", "a.b.c" for "c".
  for (;;) {
    int s = start;
    if (s >= 2 && line.mid(s - 2, 2) == QLatin1String("->")) s -= 2;
    else if (s >= 1 && line[s - 1] == QLatin1Char('.')) s -= 1;
    else break;
    if (s == 0 || !ident(line[s - 1])) break;
    while (s > 0 && ident(line[s - 1])) --s;
    start = s;
  }
  if (line[start].isDigit()) return {};
  return line.mid(start, end - start);
}

bool SourceView::viewportEvent(QEvent* event) {
  if (event->type() == QEvent::ToolTip && evaluate_) {
    auto* help = static_cast<QHelpEvent*>(event);
    QString name = nameAt(help->pos());
    QString text = name.isEmpty() ? QString() : evaluate_(name);
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(help->globalPos(), text, viewport());
    return true;
  }
  return QPlainTextEdit::viewportEvent(event);
}

void SourceView::resizeEvent(QResizeEvent* event) {
  QPlainTextEdit::resizeEvent(event);
  QRect cr = contentsRect();
  numbers_->setGeometry(QRect(cr.left(), cr.top(), lineNumberWidth(), cr.height()));
  // Keep the highlighted line in view when the pane is first laid out or resized.
  if (highlighted_ > 0) showHighlightedLine();
}

// The crash line centred, from its first column: centring the cursor scrolls sideways to the
// crash column, and every line shown would then start in its middle. The column is marked.
void SourceView::showHighlightedLine() {
  centerCursor();
  horizontalScrollBar()->setValue(horizontalScrollBar()->minimum());
}

void SourceView::paintLineNumbers(QPaintEvent* event) {
  QPainter p(numbers_);
  p.fillRect(event->rect(), QColor(0xf0, 0xf0, 0xf0));
  if (shown_.isEmpty()) return;
  QTextBlock block = firstVisibleBlock();
  int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
  while (block.isValid() && top <= event->rect().bottom()) {
    int bottom = top + qRound(blockBoundingRect(block).height());
    if (block.isVisible() && bottom >= event->rect().top()) {
      int line = block.blockNumber() + 1;
      QFont f = font();
      f.setBold(line == highlighted_);
      p.setFont(f);
      p.setPen(line == highlighted_ ? QColor(0xb0, 0x00, 0x20) : QColor(0x90, 0x90, 0x90));
      p.drawText(0, top, numbers_->width() - 6, fontMetrics().height(), Qt::AlignRight, QString::number(line));
    }
    block = block.next();
    top = bottom;
  }
}

void SourceView::showMessage(const QString& message) {
  shown_.clear();
  highlighted_ = 0;
  setExtraSelections({});
  setPlainText(message);
}

bool SourceView::showLocation(const QString& file, int line, int column, const QString& compilation_dir) {
  if (file.isEmpty()) {
    showMessage(tr("No source line is known for this frame."));
    return false;
  }
  QString local = map_.resolve(file, compilation_dir);
  if (local.isEmpty()) {
    const bool relative = !QDir::isAbsolutePath(file);
    showMessage(tr("Source not found: %1\n\n").arg(file) +
                (relative && !compilation_dir.isEmpty()
                     ? tr("It was compiled in %1, which is not on this machine.\n").arg(compilation_dir)
                 : relative ? tr("The path is relative to a compilation directory the debug info does not name.\n")
                            : QString()) +
                tr("Map build paths to local ones with Settings > Source Path Mappings."));
    return false;
  }
  if (local != shown_) {
    QFile f(local);
    if (f.size() > kMaxSourceBytes || !f.open(QIODevice::ReadOnly)) {
      showMessage(tr("Cannot read %1").arg(local));
      return false;
    }
    setPlainText(QString::fromUtf8(f.readAll()));
    shown_ = local;
  }
  highlighted_ = line > 0 && line <= blockCount() ? line : 0;
  QList<QTextEdit::ExtraSelection> selections;
  if (highlighted_ > 0) {
    QTextEdit::ExtraSelection sel;
    sel.format.setBackground(QColor(0xff, 0xd8, 0xd8));
    sel.format.setProperty(QTextFormat::FullWidthSelection, true);
    sel.cursor = QTextCursor(document()->findBlockByNumber(highlighted_ - 1));
    selections << sel;
    QTextCursor cursor(document()->findBlockByNumber(highlighted_ - 1));
    if (column > 0) {
      cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, std::min(column - 1, cursor.block().length() - 1));
      QTextEdit::ExtraSelection at;  // the crash column: one character, darker and underlined
      at.format.setBackground(QColor(0xff, 0xa0, 0xa0));
      at.format.setFontUnderline(true);
      at.cursor = cursor;
      at.cursor.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor);
      selections << at;
    }
    setTextCursor(cursor);
    showHighlightedLine();
  }
  setExtraSelections(selections);
  numbers_->update();
  return highlighted_ > 0;
}

QString SourceView::lineText(int line) const {
  QTextBlock b = document()->findBlockByNumber(line - 1);
  return b.isValid() ? b.text() : QString();
}

}  // namespace corelens::gui
