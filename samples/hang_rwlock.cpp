/* hang_rwlock: a reader holds table_lock (a std::shared_mutex, glibc's pthread_rwlock_t) shared
 * and waits for stats_lock (a std::mutex); a writer holds stats_lock and waits to take table_lock
 * exclusively, which its reader never gives back. The main thread joins the writer.
 *
 * glibc records a rwlock's writer, not its readers: the analysis finds the reader by the lock's
 * address in its stack (here, in the std::shared_lock that holds it).
 *
 * What an analysis should find (hang_record.h):
 *   reader waits for stats_lock, held by the writer
 *   writer waits to write table_lock, held (for reading) by the reader
 *   main waits in pthread_join for the writer
 *   deadlock: reader -> writer -> reader
 */
#include "hang_record.h"

#include <pthread.h>

#include <mutex>
#include <shared_mutex>
#include <thread>

static std::shared_mutex table_lock;
static std::mutex stats_lock;
static pthread_barrier_t both_hold;
static pid_t reader_tid, writer_tid;
static long rows, lookups;

static void read_table() {
  std::shared_lock<std::shared_mutex> read(table_lock);
  reader_tid = hang_tid();
  pthread_barrier_wait(&both_hold);
  hang_wait(hang_tid(), "mutex", &stats_lock, "stats_lock", writer_tid);
  std::lock_guard<std::mutex> count(stats_lock);   // never returns: the writer holds it
  ++lookups;
}

static void update_table() {
  std::lock_guard<std::mutex> count(stats_lock);
  writer_tid = hang_tid();
  pthread_barrier_wait(&both_hold);
  hang_wait(hang_tid(), "rwlock-write", &table_lock, "table_lock", reader_tid);
  std::unique_lock<std::shared_mutex> write(table_lock);   // never returns: the reader holds it
  ++rows;
}

int main() {
  pthread_barrier_init(&both_hold, nullptr, 3);
  hang_thread("main");
  std::thread reader(read_table);
  std::thread writer(update_table);
  pthread_barrier_wait(&both_hold);
  hang_line("hang: thread %d reader", (int)reader_tid);
  hang_line("hang: thread %d writer", (int)writer_tid);
  hang_wait(hang_tid(), "join", reinterpret_cast<void*>(writer.native_handle()), "-", writer_tid);
  hang_line("hang: cycle %d %d", (int)reader_tid, (int)writer_tid);
  hang_ready(3);
  writer.join();
  reader.join();
  return 0;
}
