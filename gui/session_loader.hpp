// Runs the analysis (open_session) on a worker thread so the window never freezes.
//
// The worker reports its progress through AnalyzeOptions::progress, and a cancel makes that
// callback answer false, so the library stops at its next step (between modules, between
// threads, every few thousand frames of a deep stack). A new load may start while a cancelled
// one is still winding down; only the newest one's result is ever delivered.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "unwinder/pipeline/session.hpp"

namespace corelens::gui {

using SessionPtr = std::shared_ptr<const corelens::Session>;

class SessionLoader : public QObject {
  Q_OBJECT
 public:
  explicit SessionLoader(QObject* parent = nullptr);
  ~SessionLoader() override;

  void load(const QString& path, const corelens::AnalyzeOptions& options);
  // A running process: stopped for a moment, read and let go (unwinder/pipeline/live_session.hpp);
  // its path is "process PID".
  void loadProcess(int pid, const corelens::AnalyzeOptions& options);
  void cancel();
  bool busy() const { return busy_; }
  QString currentPath() const { return path_; }
  qint64 elapsedMs() const { return busy_ ? timer_.elapsed() : 0; }
  // Blocks until no worker runs (abandoned ones too): for tests and for a clean exit.
  void waitForIdle();

 signals:
  void started(const QString& path);
  void loaded(const QString& path, corelens::gui::SessionPtr session);
  void failed(const QString& path, const QString& message);
  void cancelled(const QString& path);
  // STAGE in words; TOTAL 0 when the stage has no count.
  void progress(const QString& stage, qulonglong done, qulonglong total);

 private:
  void report(quint64 generation, const QString& stage, qulonglong done, qulonglong total);
  void start(const QString& path, int pid, const corelens::AnalyzeOptions& options);

  quint64 generation_ = 0;
  std::shared_ptr<std::atomic<bool>> cancel_;  // the running load's flag, shared with its worker
  bool busy_ = false;
  QString path_;
  QElapsedTimer timer_;
};

}  // namespace corelens::gui

Q_DECLARE_METATYPE(corelens::gui::SessionPtr)
