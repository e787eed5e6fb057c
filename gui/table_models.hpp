// Flat tables over the Report: the memory map, the modules, the diagnostics and the notes.
// Each is swapped in whole when a new Report arrives. SortRole gives numbers for the address and
// size columns so a QSortFilterProxyModel sorts them numerically.
#pragma once

#include <QAbstractTableModel>
#include <memory>

#include "core/report/address_annotator.hpp"
#include "gui/roles.hpp"

namespace corelens::gui {

class ReportTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  void setReport(ReportPtr report, std::shared_ptr<const AddressAnnotator> annotator = {});
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 protected:
  virtual std::size_t rows() const = 0;
  virtual QStringList headers() const = 0;
  virtual QVariant cell(int row, int column, int role) const = 0;
  ReportPtr report_;
  std::shared_ptr<const AddressAnnotator> annotator_;
};

class MappingModel final : public ReportTableModel {
  Q_OBJECT
 public:
  enum Column { ColStart, ColEnd, ColSize, ColPerms, ColSaved, ColOffset, ColFile, ColCount };
  using ReportTableModel::ReportTableModel;

 protected:
  std::size_t rows() const override;
  QStringList headers() const override;
  QVariant cell(int row, int column, int role) const override;
};

class ModuleModel final : public ReportTableModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColStart, ColEnd, ColBuildId, ColSymbols, ColFile, ColDebugFile, ColNote, ColFix, ColCount };
  using ReportTableModel::ReportTableModel;

 protected:
  std::size_t rows() const override;
  QStringList headers() const override;
  QVariant cell(int row, int column, int role) const override;
};

class DiagnosticModel final : public ReportTableModel {
  Q_OBJECT
 public:
  enum Column { ColSeverity, ColMessage, ColCode, ColWhere, ColCount };
  using ReportTableModel::ReportTableModel;

 protected:
  std::size_t rows() const override;
  QStringList headers() const override;
  QVariant cell(int row, int column, int role) const override;
};

class NoteModel final : public ReportTableModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColType, ColOffset, ColSize, ColCount };
  using ReportTableModel::ReportTableModel;

 protected:
  std::size_t rows() const override;
  QStringList headers() const override;
  QVariant cell(int row, int column, int role) const override;
};

}  // namespace corelens::gui
