#include "gui/session_loader.hpp"

#include <QFutureWatcher>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrent>
#include <exception>

namespace corelens::gui {
namespace {

struct Outcome {
  SessionPtr session;
  QString error;
};

// The worker: nothing may escape it as an exception (the library does not throw, but memory can
// run out on a hostile dump), and an error becomes a message for the window.
Outcome run_analysis(const std::string& path, const corelens::AnalyzeOptions& options) {
  try {
    auto session = corelens::open_session(path, options);
    if (!session) return {nullptr, QString::fromStdString(session.error().describe())};
    return {*session, {}};
  } catch (const std::exception& e) {
    return {nullptr, QStringLiteral("internal error while analysing: %1").arg(QString::fromLocal8Bit(e.what()))};
  }
}

QThreadPool& analysis_pool() {
  // A pool of its own: abandoned analyses must not starve QtConcurrent users elsewhere.
  static QThreadPool pool;
  pool.setMaxThreadCount(4);
  return pool;
}

}  // namespace

SessionLoader::SessionLoader(QObject* parent) : QObject(parent) {
  qRegisterMetaType<SessionPtr>();
}

SessionLoader::~SessionLoader() { ++generation_; }

void SessionLoader::load(const QString& path, const corelens::AnalyzeOptions& options) {
  const quint64 generation = ++generation_;
  busy_ = true;
  path_ = path;
  timer_.start();
  emit started(path);
  auto* watcher = new QFutureWatcher<Outcome>(this);
  connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, generation, path] {
    Outcome outcome = watcher->result();
    watcher->deleteLater();
    if (generation != generation_) return;  // cancelled or superseded: drop the result
    busy_ = false;
    if (outcome.session) emit loaded(path, outcome.session);
    else emit failed(path, outcome.error);
  });
  watcher->setFuture(QtConcurrent::run(&analysis_pool(), run_analysis, path.toStdString(), options));
}

void SessionLoader::cancel() {
  if (!busy_) return;
  ++generation_;
  busy_ = false;
  emit cancelled(path_);
}

void SessionLoader::waitForIdle() { analysis_pool().waitForDone(); }

}  // namespace corelens::gui
