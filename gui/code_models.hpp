// Models over process memory: the disassembly around a frame's pc, and a hex dump window.
// Both read through the Session's MemorySource (the dump's bytes, and module files for code the
// dump left out); neither interprets the dump's file format.
#pragma once

#include <QAbstractTableModel>
#include <memory>
#include <vector>

#include "core/analysis/disassembly.hpp"
#include "core/model/memory_source.hpp"
#include "core/report/address_annotator.hpp"
#include "gui/roles.hpp"

namespace corelens::gui {

class DisassemblyModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColMarker, ColAddress, ColOffset, ColBytes, ColInstruction, ColComment, ColCount };
  explicit DisassemblyModel(QObject* parent = nullptr);

  // CURRENT_IS_FAULT: the highlighted instruction faulted (frame 0) rather than being the call a
  // caller frame waits in; it changes the marker and the colour.
  void setDisassembly(Disassembly disassembly, bool current_is_fault, std::shared_ptr<const AddressAnnotator> annotator);
  void clear();
  const Disassembly& disassembly() const { return dis_; }
  int currentRow() const { return dis_.current; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  Disassembly dis_;
  bool fault_ = false;
  std::vector<QString> comments_;  // per instruction: what its target or rip-relative operand names
  std::vector<QString> offsets_;   // per instruction: module+offset
};

// A window of process memory, 16 bytes a row, starting at a base address. Bytes the dump did not
// save are shown as "??". Rows are read on demand and cached.
class HexModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColAddress, ColHex, ColAscii, ColCount };
  static constexpr int kBytesPerRow = 16;
  explicit HexModel(QObject* parent = nullptr);

  // SOURCE must outlive the model or the next setSource; OWNER keeps it alive when given.
  void setSource(std::shared_ptr<const void> owner, const MemorySource* source);
  // Shows ROWS rows starting at the row containing ADDR, with ADDR's row highlighted.
  void showAddress(std::uint64_t addr, int rows = 64);
  std::uint64_t base() const { return base_; }
  std::uint64_t target() const { return target_; }
  int targetRow() const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct RowBytes {
    std::uint8_t bytes[kBytesPerRow];
    bool valid[kBytesPerRow];
  };
  const RowBytes& rowBytes(int row) const;

  std::shared_ptr<const void> owner_;
  const MemorySource* source_ = nullptr;
  std::uint64_t base_ = 0, target_ = 0;
  int rows_ = 0;
  mutable std::vector<std::optional<RowBytes>> cache_;
};

}  // namespace corelens::gui
