#include "gui/variable_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "core/model/strings.hpp"

namespace corelens::gui {

struct VariableModel::Item {
  QString group;                 // a group row ("Arguments", "Locals", "Watch"); empty for values
  values::ValueNode node;        // a value row
  Item* parent = nullptr;
  int row = 0;
  bool fetched = false;          // children read (or none to read)
  std::vector<std::unique_ptr<Item>> children;

  Item* add(std::unique_ptr<Item> child) {
    child->parent = this;
    child->row = static_cast<int>(children.size());
    children.push_back(std::move(child));
    return children.back().get();
  }
};

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

std::unique_ptr<VariableModel::Item> value_item(values::ValueNode node) {
  auto item = std::make_unique<VariableModel::Item>();
  item->fetched = !node.has_children || !node.children.empty();
  for (auto& c : node.children) item->add(value_item(std::move(c)));
  node.children.clear();
  item->node = std::move(node);
  return item;
}

// The address a pointer's value starts with ("0x7ffd1234 \"text\"" -> 0x7ffd1234).
std::optional<std::uint64_t> pointer_value(const values::ValueNode& n) {
  if (n.kind != values::ValueNode::Kind::pointer || !n.value.starts_with("0x")) return std::nullopt;
  char* end = nullptr;
  unsigned long long v = std::strtoull(n.value.c_str() + 2, &end, 16);
  if (end == n.value.c_str() + 2) return std::nullopt;
  return v;
}

}  // namespace

VariableModel::VariableModel(QObject* parent) : QAbstractItemModel(parent), root_(std::make_unique<Item>()) {}

VariableModel::~VariableModel() = default;

void VariableModel::clear() {
  beginResetModel();
  engine_.reset();
  annotator_.reset();
  thread_ = frame_ = -1;
  message_.clear();
  root_ = std::make_unique<Item>();
  endResetModel();
}

void VariableModel::setFrame(std::shared_ptr<values::ValueEngine> engine, std::shared_ptr<const AddressAnnotator> annotator,
                             int thread, int frame) {
  beginResetModel();
  engine_ = std::move(engine);
  annotator_ = std::move(annotator);
  thread_ = thread;
  frame_ = frame;
  rebuild();
  endResetModel();
}

void VariableModel::setWatches(const QStringList& expressions) {
  beginResetModel();
  watches_ = expressions;
  rebuild();
  endResetModel();
}

void VariableModel::setRaw(bool raw) {
  beginResetModel();
  raw_ = raw;
  rebuild();
  endResetModel();
}

void VariableModel::rebuild() {
  root_ = std::make_unique<Item>();
  root_->fetched = true;
  message_.clear();
  if (!engine_ || thread_ < 0 || frame_ < 0) return;
  values::FormatOptions options = engine_->default_options();
  options.depth = 0;  // children when a row is expanded
  options.raw = raw_;
  auto group = [&](const QString& title) {
    auto g = std::make_unique<Item>();
    g->group = title;
    g->fetched = true;
    return root_->add(std::move(g));
  };
  auto vars = engine_->frame_variables(static_cast<std::size_t>(thread_), static_cast<std::size_t>(frame_), options);
  if (!vars) {
    message_ = q(printable(vars.error().message));
  } else {
    Item* args = group(tr("Arguments"));
    for (auto& a : vars->arguments) args->add(value_item(std::move(a)));
    Item* locals = group(tr("Locals"));
    for (auto& l : vars->locals) locals->add(value_item(std::move(l)));
  }
  if (!watches_.isEmpty()) {
    Item* watch = group(tr("Watch"));
    for (const QString& w : watches_) {
      auto v = engine_->evaluate(static_cast<std::size_t>(thread_), static_cast<std::size_t>(frame_), w.toStdString(), options);
      values::ValueNode n;
      if (v) {
        n = std::move(*v);
      } else {
        n.name = w.toStdString();
        n.unavailable = v.error().message;
      }
      watch->add(value_item(std::move(n)));
    }
  }
}

int VariableModel::watchAt(const QModelIndex& index) const {
  if (!index.isValid()) return -1;
  const Item* it = item(index);
  if (it->parent == nullptr || it->parent->parent != root_.get() || it->parent->group != tr("Watch")) return -1;
  return it->row < watches_.size() ? it->row : -1;
}

VariableModel::Item* VariableModel::item(const QModelIndex& index) const {
  return index.isValid() ? static_cast<Item*>(index.internalPointer()) : root_.get();
}

QModelIndex VariableModel::index(int row, int column, const QModelIndex& parent) const {
  Item* p = item(parent);
  load_children(p);
  if (row < 0 || column < 0 || column >= ColCount || row >= static_cast<int>(p->children.size())) return {};
  return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex VariableModel::parent(const QModelIndex& child) const {
  if (!child.isValid()) return {};
  Item* c = item(child);
  if (c->parent == nullptr || c->parent == root_.get()) return {};
  return createIndex(c->parent->row, 0, c->parent);
}

int VariableModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() && parent.column() != 0) return 0;
  Item* p = item(parent);
  load_children(p);
  return static_cast<int>(p->children.size());
}

int VariableModel::columnCount(const QModelIndex&) const { return ColCount; }

bool VariableModel::hasChildren(const QModelIndex& parent) const {
  if (parent.isValid() && parent.column() != 0) return false;
  Item* p = item(parent);
  if (!p->children.empty()) return true;
  return !p->fetched && p->node.has_children;
}

void VariableModel::load_children(Item* it) const {
  if (it->fetched) return;
  it->fetched = true;
  if (!engine_ || !it->node.handle) return;
  values::FormatOptions options = engine_->default_options();
  options.depth = 1;  // the children themselves; theirs when they are asked for
  options.raw = raw_;
  for (auto& k : engine_->children(it->node.handle, it->node.name, options)) it->add(value_item(std::move(k)));
}

QVariant VariableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const Item* it = item(index);
  if (!it->group.isEmpty()) {
    if (role == Qt::DisplayRole && index.column() == ColName) return it->group;
    if (role == Qt::FontRole) {
      QFont f;
      f.setBold(true);
      return f;
    }
    return {};
  }
  const values::ValueNode& n = it->node;
  const bool missing = !n.unavailable.empty();
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case ColName: return q(n.entry_value ? n.name + "@entry" : n.name);
        case ColValue: return missing ? q("<" + n.unavailable + ">") : q(n.value.size() > 300 ? n.value.substr(0, 297) + "..." : n.value);
        case ColType: return q(n.type);
        case ColPointsTo: {
          auto p = pointer_value(n);
          if (!p || !annotator_ || *p < 0x10000) return {};
          return q(printable(annotator_->annotate(*p)));
        }
        default: return {};
      }
    case Qt::ToolTipRole:
      if (missing) return q(n.unavailable);
      if (index.column() == ColType && n.exact_type != n.type) return q(n.exact_type);
      if (index.column() == ColValue) {
        QString where = n.address ? tr("at %1").arg(q(hex(*n.address))) : q(n.location);
        return tr("%1\n%2%3").arg(q(n.value.substr(0, 4000)), where,
                                  n.entry_value ? tr(", as it was on entry to the function") : QString());
      }
      return {};
    case Qt::ForegroundRole:
      if (missing) return QBrush(QColor(0x80, 0x80, 0x80));
      return {};
    case AddressRole: return n.address ? QVariant::fromValue<quint64>(*n.address) : QVariant();
    case KnownRole: return n.address.has_value();
    case SearchTextRole: return q(n.name);
    default: return {};
  }
}

QVariant VariableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ColName: return tr("Name");
    case ColValue: return tr("Value");
    case ColType: return tr("Type");
    case ColPointsTo: return tr("Points to");
    default: return {};
  }
}

}  // namespace corelens::gui
