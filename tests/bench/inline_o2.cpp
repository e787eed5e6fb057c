// Benchmark program, built with -O2: a NULL read deep inside inlined code. The crashing pc has
// ~40 inlined frames (a template recursion of always_inline functions, a CRTP stage chain,
// std::for_each and a lambda) over a few real frames (run_batch, handle_record, main), so
// inlined-frame lookup and their file:line are a real part of the work, and of the result.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define ALWAYS_INLINE [[gnu::always_inline]] inline
#define NOINLINE [[gnu::noinline]]

namespace bench {

struct Node {
  int value;
  const Node* next;
};

// walk<N> follows N links; the list is shorter than that, so one level reads through NULL.
template <int N>
struct Walker {
  ALWAYS_INLINE static int walk(const Node* n) {
    int here = n->value;  // the NULL read happens on this line, at the level the list ends
    return Walker<N - 1>::walk(n->next) * 3 + here;
  }
};
template <>
struct Walker<0> {
  ALWAYS_INLINE static int walk(const Node* n) { return n == nullptr ? 0 : n->value; }
};

class Decoder {
 public:
  explicit Decoder(int salt) : salt_(salt) {}
  ALWAYS_INLINE int decode(const Node* head) const { return checksum(head) ^ salt_; }

 private:
  ALWAYS_INLINE int checksum(const Node* head) const { return Walker<32>::walk(head) + 1; }
  int salt_;
};

NOINLINE int handle_record(const Node* head, int salt) {
  Decoder d(salt);
  return d.decode(head);
}

// A CRTP chain of stages, each inlined into the one above.
template <int Stage>
struct Pipeline {
  ALWAYS_INLINE static int run(const Node* head, int salt) {
    return Pipeline<Stage - 1>::run(head, salt + Stage);
  }
};
template <>
struct Pipeline<0> {
  ALWAYS_INLINE static int run(const Node* head, int salt) { return handle_record(head, salt); }
};

NOINLINE int run_batch(const std::vector<const Node*>& heads) {
  int total = 0;
  std::for_each(heads.begin(), heads.end(),
                [&total](const Node* head) { total += Pipeline<4>::run(head, total); });
  return total;
}

}  // namespace bench

int main(int argc, char** argv) {
  // The list lengths depend on argv, so nothing is folded at compile time: the first lists are
  // longer than 32 links, the last one (length 20 by default) is shorter and ends in NULL.
  int short_len = argc > 1 ? std::atoi(argv[1]) : 20;
  std::vector<bench::Node> nodes(64);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].value = static_cast<int>(i);
    nodes[i].next = i + 1 < nodes.size() ? &nodes[i + 1] : &nodes[0];
  }
  std::vector<bench::Node> tail(static_cast<std::size_t>(short_len));
  for (std::size_t i = 0; i < tail.size(); ++i) {
    tail[i].value = static_cast<int>(i);
    tail[i].next = i + 1 < tail.size() ? &tail[i + 1] : nullptr;
  }
  std::vector<const bench::Node*> heads = {&nodes[0], &nodes[5], &tail[0]};
  std::printf("%d\n", bench::run_batch(heads));
  return 0;
}
