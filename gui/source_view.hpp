// Source around a frame's line, with line numbers and the line highlighted. Build paths recorded
// in the debug info can be mapped to local ones ("/build/proj" -> "/home/me/proj"); the rules are
// kept in QSettings under "source/pathMap".
#pragma once

#include <QList>
#include <QPair>
#include <QPlainTextEdit>
#include <QString>
#include <functional>

namespace corelens::gui {

class SourcePathMap {
 public:
  QList<QPair<QString, QString>> rules;  // build prefix -> local prefix, first match wins

  // The local file for PATH: PATH itself when it exists, else the first rule's rewrite that
  // exists; empty when none does.
  // The local file for PATH as debug info names it. A relative PATH is taken relative to
  // COMPILATION_DIR (DW_AT_comp_dir), never to the GUI's working directory; the rules then map
  // the build machine's paths to local ones.
  QString resolve(const QString& path, const QString& compilation_dir = {}) const;
  static SourcePathMap load();
  void save() const;
  // "from=>to" lines, for editing as text.
  QString toText() const;
  static SourcePathMap fromText(const QString& text);
};

class SourceView : public QPlainTextEdit {
  Q_OBJECT
 public:
  explicit SourceView(QWidget* parent = nullptr);

  void setPathMap(SourcePathMap map) { map_ = std::move(map); }
  // Hovering a name shows what EVALUATE says of it (the value in the selected frame); an empty
  // answer shows nothing.
  void setHoverEvaluator(std::function<QString(const QString& name)> evaluate) { evaluate_ = std::move(evaluate); }
  // The name (an identifier, with the . and -> before it: "r->next") at POS in the viewport.
  QString nameAt(const QPoint& pos) const;
  const SourcePathMap& pathMap() const { return map_; }
  // Shows FILE around LINE with LINE highlighted; returns false (and shows why) when the file
  // cannot be found or read.
  bool showLocation(const QString& file, int line, int column, const QString& compilation_dir = {});
  void showMessage(const QString& message);

  int highlightedLine() const { return highlighted_; }  // 1-based; 0 when none
  QString lineText(int line) const;                    // 1-based
  QString shownFile() const { return shown_; }

  int lineNumberWidth() const;
  void paintLineNumbers(QPaintEvent* event);

 protected:
  void resizeEvent(QResizeEvent* event) override;
  bool viewportEvent(QEvent* event) override;

 private:
  void showHighlightedLine();
  QWidget* numbers_;
  SourcePathMap map_;
  QString shown_;
  int highlighted_ = 0;
  std::function<QString(const QString&)> evaluate_;
};

}  // namespace corelens::gui
