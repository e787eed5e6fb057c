#include "gui/screen_fit.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QVBoxLayout>
#include <QScreen>
#include <QTableView>
#include <QTreeView>
#include <QWidget>
#include <algorithm>

namespace corelens::gui {
namespace {

// A column may take at most this share of its view: enough for "Parser::parse(std::string
// const&, int&)" in a stack pane, and the module and location columns stay visible beside it.
constexpr double kMaxColumnShare = 0.55;
// Below this cap the view is too narrow to share: the cap stays here and the view scrolls.
constexpr int kMinCappedColumn = 240;

int column_cap(const QAbstractItemView* view) {
  return std::max(kMinCappedColumn, static_cast<int>(view->viewport()->width() * kMaxColumnShare));
}

}  // namespace

QSize fitted_to_screen(QSize wanted, const QScreen* screen) {
  if (screen == nullptr) return wanted;
  return wanted.boundedTo(screen->availableGeometry().size());
}

void fit_window_to_screen(QWidget* window) {
  const QScreen* screen = window->screen();
  if (screen == nullptr || window->isMaximized() || window->isFullScreen()) return;
  const QRect available = screen->availableGeometry();
  const QRect frame = window->frameGeometry();
  const QSize decoration = frame.size() - window->size();
  const QSize fitted = window->size().boundedTo(available.size() - decoration);
  if (fitted != window->size()) window->resize(fitted);
  QRect now = window->frameGeometry();
  if (!available.contains(now)) {
    // Back onto the screen: right and bottom edges first, then never above or left of it.
    QPoint at = now.topLeft();
    at.setX(std::max(available.left(), std::min(at.x(), available.right() + 1 - now.width())));
    at.setY(std::max(available.top(), std::min(at.y(), available.bottom() + 1 - now.height())));
    window->move(at);
  }
}

void size_columns_to_contents(QTableView* view) {
  view->resizeColumnsToContents();
  const int cap = column_cap(view);
  for (int c = 0; c < view->horizontalHeader()->count(); ++c) {
    if (view->columnWidth(c) > cap) view->setColumnWidth(c, cap);
  }
}

void size_column_to_contents(QTreeView* view, int column) {
  view->resizeColumnToContents(column);
  view->setColumnWidth(column, std::min(view->columnWidth(column), column_cap(view)));
}

QTableView* make_table(QWidget* parent, bool sortable) {
  auto* t = new QTableView(parent);
  t->verticalHeader()->hide();
  t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
  t->horizontalHeader()->setStretchLastSection(true);
  t->horizontalHeader()->setHighlightSections(false);
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setSelectionMode(QAbstractItemView::SingleSelection);
  t->setShowGrid(false);
  t->setAlternatingRowColors(true);
  t->setWordWrap(false);
  t->setTextElideMode(Qt::ElideMiddle);  // a long C++ name keeps its start and its end
  t->setSortingEnabled(sortable);
  t->setTabKeyNavigation(false);  // Tab moves between panes, arrows move within
  return t;
}

QWidget* titled(QWidget* parent, QLabel* label, QWidget* body) {
  auto* box = new QWidget(parent);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  label->setTextFormat(Qt::RichText);
  label->setContentsMargins(2, 2, 2, 0);
  // A pane's title names a file and a function: it wraps, it never widens the window.
  label->setWordWrap(true);
  layout->addWidget(label);
  layout->addWidget(body, 1);
  return box;
}

}  // namespace corelens::gui
