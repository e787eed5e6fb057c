#include "gui/code_models.hpp"

#include <QBrush>
#include <QFont>
#include <QFontDatabase>

#include "core/model/strings.hpp"

namespace corelens::gui {
namespace {

QFont fixed_font(bool bold = false) {
  QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  f.setBold(bold);
  return f;
}

}  // namespace

// ---- disassembly --------------------------------------------------------------------------------

DisassemblyModel::DisassemblyModel(QObject* parent) : QAbstractTableModel(parent) {}

void DisassemblyModel::clear() {
  beginResetModel();
  dis_ = {};
  comments_.clear();
  offsets_.clear();
  endResetModel();
}

void DisassemblyModel::setDisassembly(Disassembly disassembly, bool current_is_fault,
                                      std::shared_ptr<const AddressAnnotator> annotator) {
  beginResetModel();
  dis_ = std::move(disassembly);
  fault_ = current_is_fault;
  comments_.assign(dis_.instructions.size(), {});
  offsets_.assign(dis_.instructions.size(), {});
  if (annotator) {
    for (std::size_t i = 0; i < dis_.instructions.size(); ++i) {
      const Instruction& ins = dis_.instructions[i];
      AddressInfo here = annotator->describe(ins.address);
      if (here.kind == RegionKind::module) offsets_[i] = QString::fromStdString(printable(here.text));
      std::optional<std::uint64_t> t = ins.target ? ins.target : ins.rip_target;
      if (!t) continue;
      std::string what = annotator->annotate(*t);
      comments_[i] = what.empty() ? QStringLiteral("→ %1 (unmapped)").arg(QString::fromStdString(hex(*t)))
                                  : QStringLiteral("→ ") + QString::fromStdString(printable(what));
    }
  }
  endResetModel();
}

int DisassemblyModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(dis_.instructions.size());
}
int DisassemblyModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColCount; }

QVariant DisassemblyModel::data(const QModelIndex& idx, int role) const {
  if (!checkIndex(idx, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const auto row = static_cast<std::size_t>(idx.row());
  const Instruction& ins = dis_.instructions[row];
  const bool current = idx.row() == dis_.current;
  switch (role) {
    case Qt::DisplayRole:
      switch (idx.column()) {
        case ColMarker: return current ? (fault_ ? QStringLiteral("⇒") : QStringLiteral("↳")) : QString();
        case ColAddress: return QString::fromStdString(hex_padded(ins.address));
        case ColOffset: return offsets_[row];
        case ColBytes: return QString::fromStdString(hex_bytes(ins.bytes.data(), ins.bytes.size()));
        case ColInstruction: return QString::fromStdString(ins.mnemonic + (ins.operands.empty() ? "" : " " + ins.operands));
        case ColComment: return comments_[row];
      }
      return {};
    case Qt::ToolTipRole: {
      QString tip = tr("bytes: %1").arg(QString::fromStdString(hex_bytes(ins.bytes.data(), ins.bytes.size())));
      if (!offsets_[row].isEmpty()) tip += QLatin1Char('\n') + offsets_[row];
      if (current) tip += QLatin1Char('\n') + (fault_ ? tr("The instruction that faulted") : tr("The call this frame is waiting in"));
      return tip;
    }
    case Qt::FontRole: return fixed_font(current);
    case Qt::BackgroundRole:
      if (current) return QBrush(fault_ ? QColor(0xff, 0xc8, 0xc8) : QColor(0xff, 0xf0, 0xb0));
      return {};
    case Qt::ForegroundRole:
      if (idx.column() == ColComment || idx.column() == ColBytes || idx.column() == ColOffset) return QBrush(QColor(0x50, 0x60, 0x80));
      return {};
    case AddressRole:
      if (idx.column() == ColComment) {
        auto t = ins.target ? ins.target : ins.rip_target;
        if (t) return static_cast<qulonglong>(*t);
      }
      return static_cast<qulonglong>(ins.address);
    case HighlightRole: return current;
  }
  return {};
}

QVariant DisassemblyModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ColMarker: return QString();
    case ColAddress: return tr("Address");
    case ColOffset: return tr("Module offset");
    case ColBytes: return tr("Bytes");
    case ColInstruction: return tr("Instruction");
    case ColComment: return tr("Target");
  }
  return {};
}

// ---- hex ----------------------------------------------------------------------------------------

HexModel::HexModel(QObject* parent) : QAbstractTableModel(parent) {}

void HexModel::setSource(std::shared_ptr<const void> owner, const MemorySource* source) {
  beginResetModel();
  owner_ = std::move(owner);
  source_ = source;
  rows_ = 0;
  cache_.clear();
  endResetModel();
}

void HexModel::showAddress(std::uint64_t addr, int rows) {
  beginResetModel();
  target_ = addr;
  const std::uint64_t row_start = addr & ~std::uint64_t{kBytesPerRow - 1};
  // A quarter of the window above the target, so what precedes it is visible too.
  const std::uint64_t lead = static_cast<std::uint64_t>(rows / 4) * kBytesPerRow;
  base_ = row_start >= lead ? row_start - lead : 0;
  const std::uint64_t room = (~std::uint64_t{0} - base_) / kBytesPerRow + 1;  // rows to the top of memory
  rows_ = source_ == nullptr ? 0 : static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max(rows, 1)), room));
  cache_.assign(static_cast<std::size_t>(rows_), std::nullopt);
  endResetModel();
}

int HexModel::targetRow() const {
  if (rows_ == 0 || target_ < base_) return -1;
  std::uint64_t r = (target_ - base_) / kBytesPerRow;
  return r < static_cast<std::uint64_t>(rows_) ? static_cast<int>(r) : -1;
}

const HexModel::RowBytes& HexModel::rowBytes(int row) const {
  auto& slot = cache_[static_cast<std::size_t>(row)];
  if (slot) return *slot;
  RowBytes rb{};
  const std::uint64_t start = base_ + static_cast<std::uint64_t>(row) * kBytesPerRow;
  std::byte buf[kBytesPerRow];
  if (source_->read(start, buf)) {
    for (int i = 0; i < kBytesPerRow; ++i) {
      rb.bytes[i] = std::to_integer<std::uint8_t>(buf[i]);
      rb.valid[i] = true;
    }
  } else {
    // Part of the row may be readable (a mapping boundary inside it): byte by byte.
    for (int i = 0; i < kBytesPerRow; ++i) {
      std::byte b;
      rb.valid[i] = static_cast<bool>(source_->read(start + static_cast<std::uint64_t>(i), std::span(&b, 1)));
      rb.bytes[i] = rb.valid[i] ? std::to_integer<std::uint8_t>(b) : 0;
    }
  }
  slot = rb;
  return *slot;
}

int HexModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }
int HexModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColCount; }

QVariant HexModel::data(const QModelIndex& idx, int role) const {
  if (!checkIndex(idx, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const std::uint64_t start = base_ + static_cast<std::uint64_t>(idx.row()) * kBytesPerRow;
  const bool is_target = idx.row() == targetRow();
  switch (role) {
    case Qt::DisplayRole: {
      if (idx.column() == ColAddress) return QString::fromStdString(hex_padded(start));
      const RowBytes& rb = rowBytes(idx.row());
      QString s;
      for (int i = 0; i < kBytesPerRow; ++i) {
        if (idx.column() == ColHex) {
          if (i) s += (i == 8) ? QStringLiteral("  ") : QStringLiteral(" ");
          s += rb.valid[i] ? QStringLiteral("%1").arg(rb.bytes[i], 2, 16, QLatin1Char('0')) : QStringLiteral("??");
        } else {
          char c = static_cast<char>(rb.bytes[i]);
          s += !rb.valid[i] ? QLatin1Char(' ') : (c >= 0x20 && c < 0x7f ? QLatin1Char(c) : QLatin1Char('.'));
        }
      }
      return s;
    }
    case Qt::FontRole: return fixed_font(is_target);
    case Qt::BackgroundRole:
      if (is_target) return QBrush(QColor(0xff, 0xf0, 0xb0));
      return {};
    case Qt::ForegroundRole: {
      if (idx.column() == ColAddress) return QBrush(QColor(0x50, 0x60, 0x80));
      const RowBytes& rb = rowBytes(idx.row());
      bool any = false;
      for (bool v : rb.valid) any |= v;
      if (!any) return QBrush(QColor(0xa0, 0xa0, 0xa0));
      return {};
    }
    case AddressRole: return static_cast<qulonglong>(start);
    case HighlightRole: return is_target;
  }
  return {};
}

QVariant HexModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ColAddress: return tr("Address");
    case ColHex: return tr("Bytes");
    case ColAscii: return tr("ASCII");
  }
  return {};
}

}  // namespace corelens::gui
