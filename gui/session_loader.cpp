#include "gui/session_loader.hpp"

#include <QFutureWatcher>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrent>
#include <exception>

#include "unwinder/pipeline/live_session.hpp"

namespace corelens::gui {
namespace {

struct Outcome {
  SessionPtr session;
  QString error;
};

// The worker: nothing may escape it as an exception (the library does not throw, but memory can
// run out on a hostile dump), and an error becomes a message for the window.
Outcome run_analysis(const std::string& path, int pid, const corelens::AnalyzeOptions& options) {
  try {
    // A running process (File > Open Running Process, --pid) or a dump file.
    auto session = pid > 0 ? corelens::open_process(pid, options) : corelens::open_session(path, options);
    if (!session && session.error().code == corelens::ErrorCode::cancelled) return {nullptr, QStringLiteral("cancelled")};
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

SessionLoader::~SessionLoader() {
  ++generation_;
  if (cancel_) cancel_->store(true);
  // The workers' progress callbacks post to this object: none may run once it is gone.
  analysis_pool().waitForDone();
}

void SessionLoader::load(const QString& path, const corelens::AnalyzeOptions& options) { start(path, 0, options); }

void SessionLoader::loadProcess(int pid, const corelens::AnalyzeOptions& options) {
  start(tr("process %1").arg(pid), pid, options);
}

void SessionLoader::start(const QString& path, int pid, const corelens::AnalyzeOptions& options) {
  const quint64 generation = ++generation_;
  busy_ = true;
  path_ = path;
  timer_.start();
  emit started(path);
  if (cancel_) cancel_->store(true);  // a superseded load stops working too
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  corelens::AnalyzeOptions with_progress = options;
  // Runs on the worker: reads the flag, and posts at most one report per change of stage or of
  // whole percent, so a 1,000-thread core does not flood the event loop.
  with_progress.progress = [this, generation, cancel = cancel_, last_stage = std::string(), last_percent = -1](
                               const corelens::AnalyzeProgress& p) mutable {
    if (cancel->load()) return false;
    int percent = p.total ? static_cast<int>(p.done * 100 / p.total) : -1;
    if (p.stage != last_stage || percent != last_percent) {
      last_stage = std::string(p.stage);
      last_percent = percent;
      QMetaObject::invokeMethod(this, [this, generation, stage = QString::fromStdString(last_stage), done = p.done, total = p.total] {
        report(generation, stage, done, total);
      }, Qt::QueuedConnection);
    }
    return true;
  };
  auto* watcher = new QFutureWatcher<Outcome>(this);
  connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, generation, path] {
    Outcome outcome = watcher->result();
    watcher->deleteLater();
    if (generation != generation_) return;  // cancelled or superseded: drop the result
    busy_ = false;
    if (outcome.session) emit loaded(path, outcome.session);
    else emit failed(path, outcome.error);
  });
  watcher->setFuture(QtConcurrent::run(&analysis_pool(), run_analysis, path.toStdString(), pid, with_progress));
}

void SessionLoader::report(quint64 generation, const QString& stage, qulonglong done, qulonglong total) {
  if (generation == generation_ && busy_) emit progress(stage, done, total);
}

void SessionLoader::cancel() {
  if (!busy_) return;
  if (cancel_) cancel_->store(true);
  ++generation_;
  busy_ = false;
  emit cancelled(path_);
}

void SessionLoader::waitForIdle() { analysis_pool().waitForDone(); }

}  // namespace corelens::gui
