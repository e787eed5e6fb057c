#include "gui/table_models.hpp"

#include <QBrush>
#include <QFont>
#include <QFontDatabase>

#include "core/model/strings.hpp"

namespace corelens::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(printable(s)); }
// An address as wide as the dump's: 8 hex digits on a 32-bit one.
QString addr(std::uint64_t a, const Report& r) { return QString::fromStdString(hex_padded(a, address_digits(r.arch))); }
QString size_text(std::uint64_t n) {
  if (n >= (1ull << 30) && n % (1ull << 30) == 0) return QStringLiteral("%1 GiB").arg(n >> 30);
  if (n >= (1ull << 20) && n % (1ull << 20) == 0) return QStringLiteral("%1 MiB").arg(n >> 20);
  if (n >= (1ull << 10) && n % (1ull << 10) == 0) return QStringLiteral("%1 KiB").arg(n >> 10);
  return QStringLiteral("%1 B").arg(n);
}
const QColor kRed(0xb0, 0x00, 0x20);
const QColor kOrange(0xa0, 0x60, 0x00);
const QColor kGrey(0x80, 0x80, 0x80);

}  // namespace

void ReportTableModel::setReport(ReportPtr report, std::shared_ptr<const AddressAnnotator> annotator) {
  beginResetModel();
  report_ = std::move(report);
  annotator_ = std::move(annotator);
  endResetModel();
}

int ReportTableModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || !report_) return 0;
  return static_cast<int>(std::min<std::size_t>(rows(), 0x7fffffff));
}

int ReportTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(headers().size());
}

QVariant ReportTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  QStringList h = headers();
  return section >= 0 && section < h.size() ? QVariant(h[section]) : QVariant();
}

QVariant ReportTableModel::data(const QModelIndex& idx, int role) const {
  if (!checkIndex(idx, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  return cell(idx.row(), idx.column(), role);
}

// ---- memory map ---------------------------------------------------------------------------------

std::size_t MappingModel::rows() const { return report_->mappings.size(); }
QStringList MappingModel::headers() const {
  return {tr("Start"), tr("End"), tr("Size"), tr("Perms"), tr("In core"), tr("File offset"), tr("File / contents")};
}

QVariant MappingModel::cell(int row, int column, int role) const {
  const MappingReport& m = report_->mappings[static_cast<std::size_t>(row)];
  const std::uint64_t size = m.end - m.start;
  auto saved_text = [&] {
    if (m.saved == 0) return tr("not saved");
    if (m.saved < size) return tr("partly (%1)").arg(size_text(m.saved));
    return tr("saved");
  };
  auto contents = [&]() -> QString {
    if (!m.path.empty()) return qs(m.path);
    if (annotator_) {
      AddressInfo info = annotator_->describe(m.start);
      if (info.kind == RegionKind::module) return QStringLiteral("[%1]").arg(qs(base_name(info.module->path)));
      if (info.kind == RegionKind::stack || info.kind == RegionKind::heap) return QStringLiteral("[%1]").arg(qs(info.text));
    }
    return tr("(anonymous)");
  };
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColStart: return addr(m.start, *report_);
        case ColEnd: return addr(m.end, *report_);
        case ColSize: return size_text(size);
        case ColPerms: return qs(m.perms);
        case ColSaved: return saved_text();
        case ColOffset: return m.path.empty() ? QString() : QString::fromStdString(hex(m.file_offset));
        case ColFile: return contents();
      }
      return {};
    case SortRole:
      switch (column) {
        case ColStart: return static_cast<qulonglong>(m.start);
        case ColEnd: return static_cast<qulonglong>(m.end);
        case ColSize: return static_cast<qulonglong>(size);
        case ColSaved: return static_cast<qulonglong>(m.saved);
        case ColOffset: return static_cast<qulonglong>(m.file_offset);
      }
      return cell(row, column, Qt::DisplayRole);
    case SearchTextRole:
      return addr(m.start, *report_) + QLatin1Char(' ') + addr(m.end, *report_) + QLatin1Char(' ') + qs(m.perms) + QLatin1Char(' ') +
             saved_text() + QLatin1Char(' ') + contents();
    case Qt::FontRole:
      if (column <= ColEnd || column == ColOffset) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
      return {};
    case Qt::ForegroundRole:
      if (column == ColSaved && m.saved == 0) return QBrush(kGrey);
      return {};
    case Qt::ToolTipRole:
      if (column == ColSaved && m.saved == 0) {
        return tr("The dump holds none of these bytes; code and read-only data come from the module file when it was found.");
      }
      return {};
    case AddressRole: return static_cast<qulonglong>(m.start);
  }
  return {};
}

// ---- modules ------------------------------------------------------------------------------------

std::size_t ModuleModel::rows() const { return report_->modules.size(); }
QStringList ModuleModel::headers() const {
  return {tr("Module"), tr("Start"), tr("End"), tr("Build-id"), tr("Symbols"), tr("File used"), tr("Debug info"), tr("Note"),
          tr("Symbol doctor")};
}

QVariant ModuleModel::cell(int row, int column, int role) const {
  const ModuleReport& m = report_->modules[static_cast<std::size_t>(row)];
  const bool bad = m.symbols == SymbolSource::mismatch || m.symbols == SymbolSource::none;
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColName: return qs(base_name(m.path));
        case ColStart: return addr(m.start, *report_);
        case ColEnd: return addr(m.end, *report_);
        case ColBuildId: return m.build_id.empty() ? tr("(none)") : qs(m.build_id);
        case ColSymbols: return QString::fromLatin1(to_string(m.symbols));
        case ColFile: return qs(m.file);
        case ColDebugFile: return qs(m.debug_file);
        case ColNote: return qs(m.symbols_note);
        // The symbol doctor (unwinder/pipeline/symbol_doctor.hpp): only modules on the crashing stack.
        case ColFix: return m.symbols_problem.empty() ? QString() : qs(m.symbols_problem + ": " + m.symbols_fix);
      }
      return {};
    case Qt::ToolTipRole:
      if (column == ColName) return qs(m.path);
      if (m.symbols == SymbolSource::mismatch) {
        return tr("The file found has build-id %1, not the dump's %2: it is not used, so names may be missing.")
            .arg(qs(m.file_build_id), qs(m.build_id));
      }
      if (!m.symbols_note.empty()) return qs(m.symbols_note);
      return {};
    case Qt::ForegroundRole:
      if (bad && (column == ColSymbols || column == ColName || column == ColNote)) return QBrush(kRed);
      return {};
    case Qt::FontRole:
      if (column == ColStart || column == ColEnd || column == ColBuildId) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
      if (bad && column == ColSymbols) {
        QFont f;
        f.setBold(true);
        return f;
      }
      return {};
    case SortRole:
      if (column == ColStart) return static_cast<qulonglong>(m.start);
      if (column == ColEnd) return static_cast<qulonglong>(m.end);
      return cell(row, column, Qt::DisplayRole);
    case SearchTextRole:
      return qs(m.path) + QLatin1Char(' ') + qs(m.build_id) + QLatin1Char(' ') + QString::fromLatin1(to_string(m.symbols)) +
             QLatin1Char(' ') + qs(m.file) + QLatin1Char(' ') + qs(m.symbols_note);
    case HighlightRole: return bad;
    case AddressRole: return static_cast<qulonglong>(m.start);
  }
  return {};
}

// ---- diagnostics --------------------------------------------------------------------------------

std::size_t DiagnosticModel::rows() const { return report_->diagnostics.size(); }
QStringList DiagnosticModel::headers() const { return {tr("Severity"), tr("Message"), tr("Code"), tr("Where")}; }

QVariant DiagnosticModel::cell(int row, int column, int role) const {
  const Diagnostic& d = report_->diagnostics[static_cast<std::size_t>(row)];
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColSeverity: return QString::fromLatin1(to_string(d.severity));
        case ColMessage: return qs(d.message);
        case ColCode: return qs(d.code);
        case ColWhere: return d.where ? QString::fromStdString(hex(*d.where)) : QString();
      }
      return {};
    case Qt::ForegroundRole:
      if (column != ColSeverity) return {};
      if (d.severity == Severity::error) return QBrush(kRed);
      if (d.severity == Severity::warning) return QBrush(kOrange);
      return QBrush(kGrey);
    case Qt::ToolTipRole:
      if (column == ColMessage) return qs(d.message);
      return {};
    case SortRole:
      if (column == ColSeverity) return static_cast<int>(d.severity);
      if (column == ColWhere) return d.where ? QVariant(static_cast<qulonglong>(*d.where)) : QVariant(0ull);
      return cell(row, column, Qt::DisplayRole);
    case HighlightRole: return d.severity != Severity::info;
  }
  return {};
}

// ---- notes --------------------------------------------------------------------------------------

std::size_t NoteModel::rows() const { return report_->notes.size(); }
QStringList NoteModel::headers() const { return {tr("Note"), tr("Type"), tr("File offset"), tr("Size")}; }

QVariant NoteModel::cell(int row, int column, int role) const {
  const NoteInfo& n = report_->notes[static_cast<std::size_t>(row)];
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColName: return qs(n.name);
        case ColType: return n.type_name.empty() ? QString::fromStdString(hex(n.type)) : qs(n.type_name);
        case ColOffset: return QString::fromStdString(hex(n.offset));
        case ColSize: return QStringLiteral("%1").arg(n.size);
      }
      return {};
    case SortRole:
      if (column == ColOffset) return static_cast<qulonglong>(n.offset);
      if (column == ColSize) return static_cast<qulonglong>(n.size);
      return cell(row, column, Qt::DisplayRole);
    case Qt::ForegroundRole:
      if (column == ColType && n.type_name.empty()) return QBrush(kGrey);
      return {};
  }
  return {};
}

}  // namespace corelens::gui
