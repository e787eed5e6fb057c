// Runs the analysis (open_session) on a worker thread so the window never freezes.
//
// Cancelling abandons the analysis: the library has no cancellation hook yet, so the worker runs
// to its end and its result is dropped (the Session is freed as soon as it arrives). A new load
// may start while an abandoned one still runs; only the newest one's result is ever delivered.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>

#include "unwinder/analyze.hpp"

namespace corelens::gui {

using SessionPtr = std::shared_ptr<const corelens::Session>;

class SessionLoader : public QObject {
  Q_OBJECT
 public:
  explicit SessionLoader(QObject* parent = nullptr);
  ~SessionLoader() override;

  void load(const QString& path, const corelens::AnalyzeOptions& options);
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

 private:
  quint64 generation_ = 0;
  bool busy_ = false;
  QString path_;
  QElapsedTimer timer_;
};

}  // namespace corelens::gui

Q_DECLARE_METATYPE(corelens::gui::SessionPtr)
