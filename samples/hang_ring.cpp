/* hang_ring: three threads in a ring, each holding one std::mutex of `ring` and waiting for the
 * next one's: thread i holds ring[i] and waits for ring[(i + 1) % 3]. The main thread joins the
 * first.
 *
 * What an analysis should find (hang_record.h):
 *   stage 0 waits for ring[1], held by stage 1; stage 1 for ring[2], held by stage 2; stage 2 for
 *   ring[0], held by stage 0; main waits in pthread_join for stage 0
 *   deadlock: stage 0 -> stage 1 -> stage 2 -> stage 0
 */
#include "hang_record.h"

#include <pthread.h>

#include <mutex>
#include <string>
#include <thread>

static std::mutex ring[3];
static pthread_barrier_t all_hold_one;
static pid_t stage_tid[3];

static void run_stage(int i) {
  std::lock_guard<std::mutex> mine(ring[i]);
  stage_tid[i] = hang_tid();
  pthread_barrier_wait(&all_hold_one);
  int next = (i + 1) % 3;
  std::string name = "ring[" + std::to_string(next) + "]";
  hang_wait(hang_tid(), "mutex", &ring[next], name.c_str(), stage_tid[next]);
  std::lock_guard<std::mutex> theirs(ring[next]);   // never returns
}

int main() {
  pthread_barrier_init(&all_hold_one, nullptr, 4);
  hang_thread("main");
  std::thread stages[3] = {std::thread(run_stage, 0), std::thread(run_stage, 1), std::thread(run_stage, 2)};
  pthread_barrier_wait(&all_hold_one);
  for (int i = 0; i < 3; ++i) hang_line("hang: thread %d stage%d", (int)stage_tid[i], i);
  hang_wait(hang_tid(), "join", reinterpret_cast<void*>(stages[0].native_handle()), "-", stage_tid[0]);
  hang_line("hang: cycle %d %d %d", (int)stage_tid[0], (int)stage_tid[1], (int)stage_tid[2]);
  hang_ready(4);
  stages[0].join();
  return 0;
}
