#include "gui/register_model.hpp"

#include <QBrush>
#include <QFontDatabase>
#include <algorithm>

#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"

namespace corelens::gui {
namespace {

// Registers whose values are flags, selectors or syscall numbers: never worth annotating.
bool holds_address(std::string_view name) {
  static constexpr std::string_view kNot[] = {"eflags", "orig_rax", "cs", "ss", "ds", "es", "fs", "gs", "pstate"};
  return std::find(std::begin(kNot), std::end(kNot), name) == std::end(kNot);
}

}  // namespace

RegisterModel::RegisterModel(QObject* parent) : QAbstractTableModel(parent) {}

void RegisterModel::clear() {
  beginResetModel();
  rows_.clear();
  report_.reset();
  endResetModel();
}

void RegisterModel::setFrame(ReportPtr report, StackRef stack, int frame, std::shared_ptr<const AddressAnnotator> annotator) {
  beginResetModel();
  rows_.clear();
  report_ = std::move(report);
  const StackReport* shown = report_ ? stack_of(*report_, stack) : nullptr;
  if (shown != nullptr) {
    const StackReport& t = *shown;
    const std::vector<Register> innermost = innermost_registers(*report_, stack);
    std::size_t physical = frame >= 0 && static_cast<std::size_t>(frame) < t.frames.size()
                               ? physical_frame(t, static_cast<std::size_t>(frame))
                               : 0;
    // The innermost real frame has the thread's registers; a caller has what was recovered.
    bool at_innermost = physical == 0 || t.frames.empty() || t.frames[physical].trust == FrameTrust::context;
    const std::vector<Register>* known = at_innermost ? &innermost : &t.frames[physical].registers;
    auto value_of = [&](std::string_view name) -> std::optional<std::uint64_t> {
      for (const auto& r : *known) {
        if (r.name == name) return r.value;
      }
      return std::nullopt;
    };
    for (const auto& r : innermost) rows_.push_back({QString::fromLatin1(r.name.data(), static_cast<qsizetype>(r.name.size())), value_of(r.name), {}});
    for (const auto& r : *known) {
      auto name = QString::fromLatin1(r.name.data(), static_cast<qsizetype>(r.name.size()));
      if (std::none_of(rows_.begin(), rows_.end(), [&](const Row& row) { return row.name == name; })) {
        rows_.push_back({name, r.value, {}});
      }
    }
    if (annotator) {
      for (auto& row : rows_) {
        if (row.value && *row.value >= 0x10000 && holds_address(row.name.toStdString())) {
          row.points_to = QString::fromStdString(printable(annotator->annotate(*row.value)));
        }
      }
    }
  }
  endResetModel();
}

int RegisterModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }
int RegisterModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColCount; }

QVariant RegisterModel::data(const QModelIndex& idx, int role) const {
  if (!checkIndex(idx, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Row& row = rows_[static_cast<std::size_t>(idx.row())];
  switch (role) {
    case Qt::DisplayRole:
      switch (idx.column()) {
        case ColName: return row.name;
        case ColValue: return row.value ? QString::fromStdString(hex_padded(*row.value, address_digits(report_->arch))) : QStringLiteral("<not recovered>");
        case ColPointsTo: return row.points_to;
      }
      return {};
    case Qt::ToolTipRole:
      if (!row.value) return QStringLiteral("The unwinder did not recover this register for this frame: its value in the caller is unknown.");
      if (!row.points_to.isEmpty()) return QStringLiteral("Double-click to show this memory");
      return {};
    case Qt::FontRole:
      if (idx.column() != ColPointsTo) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
      return {};
    case Qt::ForegroundRole:
      if (!row.value) return QBrush(QColor(0x90, 0x90, 0x90));
      return {};
    case SortRole: return idx.row();
    case AddressRole: return row.value ? QVariant(static_cast<qulonglong>(*row.value)) : QVariant();
    case KnownRole: return row.value.has_value();
  }
  return {};
}

QVariant RegisterModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ColName: return tr("Register");
    case ColValue: return tr("Value");
    case ColPointsTo: return tr("Points to");
  }
  return {};
}

}  // namespace corelens::gui
