#include "gui/frame_model.hpp"

#include <QBrush>
#include <QFont>
#include <QFontDatabase>

#include "core/model/strings.hpp"
#include "core/report/address_annotator.hpp"
#include "core/report/crash_summary.hpp"
#include "gui/stack_ref.hpp"

namespace corelens::gui {
namespace {

QString trust_tooltip(const Frame& f) {
  if (f.inlined) return QStringLiteral("inlined: a call inlined into the frame below, at the same pc");
  switch (f.trust) {
    case FrameTrust::context: return QStringLiteral("context: registers straight from the dump");
    case FrameTrust::cfi: return QStringLiteral("cfi: unwound with DWARF call frame information");
    case FrameTrust::frame_pointer: return QStringLiteral("frame-pointer: found by following saved frame pointers");
    case FrameTrust::scan: return QStringLiteral("scan: a return address found by scanning the stack; may be stale");
  }
  return {};
}

}  // namespace

FrameModel::FrameModel(QObject* parent) : QAbstractTableModel(parent) {}

void FrameModel::setStack(ReportPtr report, StackRef stack) {
  beginResetModel();
  report_ = std::move(report);
  shown_ = report_ ? stack_of(*report_, stack) : nullptr;
  stack_ = shown_ ? stack : StackRef{};
  highlighted_ = -1;
  endResetModel();
}

void FrameModel::setHighlightedFrame(int frame) {
  int old = highlighted_;
  highlighted_ = frame;
  for (int row : {old, frame}) {
    if (row >= 0 && row < rowCount()) emit dataChanged(index(row, 0), index(row, ColCount - 1));
  }
}

int FrameModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || shown_ == nullptr) return 0;
  // A QTableView takes int rows; stacks are capped far below this by the unwinder's limits.
  return static_cast<int>(std::min<std::size_t>(shown_->frames.size(), 0x7fffffff));
}

int FrameModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColCount; }

QVariant FrameModel::data(const QModelIndex& idx, int role) const {
  if (!checkIndex(idx, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Frame& f = shown_->frames[static_cast<std::size_t>(idx.row())];
  switch (role) {
    case Qt::DisplayRole:
      switch (idx.column()) {
        case ColIndex: return QStringLiteral("#%1").arg(f.index);
        case ColAddress: return f.inlined ? QString() : QString::fromStdString(hex_padded(f.pc, address_digits(report_->arch)));
        case ColFunction:
          return (f.inlined ? QStringLiteral("[inlined] ") : QString()) + QString::fromStdString(printable(function_text(f)));
        case ColLocation: return QString::fromStdString(printable(location_text(f)));
        case ColModule: {
          if (f.module.empty()) return {};
          QString m = QString::fromStdString(printable(base_name(f.module)));
          if (f.module_offset) m += QStringLiteral(" +0x%1").arg(*f.module_offset, 0, 16);
          return m;
        }
        // Kernel frames say which table found them (orc, dwarf-cfi ...), as the text report does.
        case ColTrust: return frame_found_by(*report_, f);
      }
      return {};
    case Qt::ToolTipRole:
      switch (idx.column()) {
        case ColFunction: {
          QString tip = QString::fromStdString(printable(f.function));
          if (!f.function_exact.empty()) tip += QStringLiteral("\n\nas demangled: ") + QString::fromStdString(printable(f.function_exact));
          return tip;
        }
        case ColLocation: return QString::fromStdString(printable(location_text(f, true)));
        case ColModule: return QString::fromStdString(printable(f.module));
        case ColTrust: return trust_tooltip(f);
      }
      return {};
    case Qt::FontRole:
      if (idx.column() == ColAddress) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
      if (idx.row() == highlighted_) {
        QFont font;
        font.setBold(true);
        return font;
      }
      return {};
    case Qt::ForegroundRole:
      if (f.trust == FrameTrust::scan) return QBrush(QColor(0xa0, 0x60, 0x00));
      if (f.inlined || f.function.empty()) return QBrush(QColor(0x60, 0x60, 0x60));
      return {};
    case Qt::BackgroundRole:
      if (idx.row() == highlighted_) return QBrush(QColor(0xff, 0xe4, 0xe1));
      return {};
    case SortRole: return idx.row();
    case AddressRole: return static_cast<qulonglong>(f.pc);
    case ThreadIndexRole: return stack_.thread;
    case TaskIndexRole: return stack_.task;
    case FrameIndexRole: return idx.row();
    case HighlightRole: return idx.row() == highlighted_;
  }
  return {};
}

QVariant FrameModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ColIndex: return tr("#");
    case ColAddress: return tr("Address");
    case ColFunction: return tr("Function");
    case ColLocation: return tr("Source");
    case ColModule: return tr("Module");
    case ColTrust: return tr("Found by");
  }
  return {};
}

}  // namespace corelens::gui
