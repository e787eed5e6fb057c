// Windows and tables that fit a laptop's screen: a 1366x768 display must show the whole main
// window, and one long C++ name must not push a table's other columns out of sight.
#pragma once

#include <QSize>

class QAbstractItemView;
class QLabel;
class QScreen;
class QTableView;
class QTreeView;
class QWidget;

namespace corelens::gui {

// WANTED, no larger than SCREEN's available area (the desktop minus panels and docks). A null
// SCREEN (no screen yet) leaves WANTED as it is.
QSize fitted_to_screen(QSize wanted, const QScreen* screen);

// Shrinks and moves WINDOW (a shown top-level window) so that its frame, title bar included,
// lies within its screen's available area.
void fit_window_to_screen(QWidget* window);

// Each column as wide as its content, but none wider than kMaxColumnShare of the view's width
// (at least kMinCappedColumn pixels): a longer cell elides in the middle, whole in its tooltip.
void size_columns_to_contents(QTableView* view);
void size_column_to_contents(QTreeView* view, int column);

// The panes' building blocks, made to fit: a table whose long cells elide in the middle, and a
// pane under a title that wraps instead of widening the window.
QTableView* make_table(QWidget* parent, bool sortable = false);
QWidget* titled(QWidget* parent, QLabel* label, QWidget* body);

}  // namespace corelens::gui
