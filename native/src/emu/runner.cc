// The dispatch runner (see runner.h). Fibers: each thread of a threadgroup is
// a fiber; a barrier or simd collective suspends it, and the scheduler
// releases a barrier when every live thread of the group (a collective: of
// the simdgroup) waits at the same line. A barrier that only some threads
// reach, or threads waiting at different ones, is an error where a GPU would
// hang. Faults (SIGSEGV, SIGFPE, ...) in a kernel become errors, not crashes.
#include "runner.h"

#include <boost/context/fiber.hpp>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <csetjmp>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include <sys/time.h>

namespace mlxts::emu {
namespace ctx = boost::context;

namespace {

constexpr size_t kThreadgroupMemory = 32 * 1024;
constexpr size_t kMaxSimdValue = 64;
constexpr uint32_t kSimdWidth = 32;

/** Thrown through kernel frames to end a thread (fail(), or a broken barrier in thread mode). */
struct LaneAbort {};

struct GroupShape {
  uint32_t origin[3];
  uint32_t size[3];
  uint32_t count;
};

void setIds(__emu::Lane& l, const Launch& L, const GroupShape& g, uint32_t t, const uint32_t groupId[3], const uint32_t groups[3]) {
  uint32_t x = t % g.size[0], y = t / g.size[0] % g.size[1], z = t / (g.size[0] * g.size[1]);
  uint32_t local[3] = {x, y, z};
  for (int d = 0; d < 3; d++) {
    l.thread_position_in_threadgroup[d] = local[d];
    l.thread_position_in_grid[d] = g.origin[d] + local[d];
    l.threadgroup_position_in_grid[d] = groupId[d];
    l.threads_per_threadgroup[d] = g.size[d];
    l.threads_per_grid[d] = L.grid[d];
    l.threadgroups_per_grid[d] = groups[d];
  }
  l.thread_index_in_threadgroup = t;
  l.thread_index_in_simdgroup = t % kSimdWidth;
  l.simdgroup_index_in_threadgroup = t / kSimdWidth;
  l.simdgroups_per_threadgroup = (g.count + kSimdWidth - 1) / kSimdWidth;
  l.tg_cursor = 0;
  l.tg_capacity = kThreadgroupMemory;
}

/** A schedule's synchronization entry points, as a lane calls them. */
struct LaneCalls {
  void (*barrier)(__emu::Lane*, int);
  void (*simd_barrier)(__emu::Lane*, int);
  const __emu::SimdExchange& (*exchange)(__emu::Lane*, const void*, size_t, int);
  void (*fail)(__emu::Lane*, const char*);
};

/** Gives a lane its threadgroup memory, its runner state and the schedule's entry points. */
void attach(__emu::Lane& l, char* tgMemory, void* runner, const LaneCalls& calls) {
  l.tg_memory = tgMemory;
  l.runner = runner;
  l.barrier = calls.barrier;
  l.simd_barrier = calls.simd_barrier;
  l.exchange = calls.exchange;
  l.fail = calls.fail;
}

// ---- fault capture ----------------------------------------------------------

thread_local sigjmp_buf* faultJump = nullptr;
thread_local int faultSignal = 0;
thread_local void* faultAddress = nullptr;
/** Kernel code is running (not the runner's own code, which may hold the allocator's lock). */
thread_local volatile sig_atomic_t inKernel = 0;
/** The timeout expired while the runner's own code ran: it stops at the next switch back to it. */
thread_local volatile sig_atomic_t timedOut = 0;

void onFault(int sig, siginfo_t* info, void*) {
  if (sig == SIGALRM && !inKernel) {
    timedOut = 1;
    return;
  }
  if (faultJump) {
    faultSignal = sig;
    faultAddress = info ? info->si_addr : nullptr;
    siglongjmp(*faultJump, 1);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/** Installs fault handlers (on an alternate stack) and the timeout's timer for the lifetime of the object. */
class FaultGuard {
 public:
  explicit FaultGuard(uint32_t timeoutMs) : timer_(timeoutMs > 0) {
    stack_.ss_sp = altStack_.data();
    stack_.ss_size = altStack_.size();
    stack_.ss_flags = 0;
    sigaltstack(&stack_, &oldStack_);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = onFault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < kCount; i++) sigaction(kSignals[i], &sa, &old_[i]);
    timedOut = 0;
    if (timer_) {
      itimerval t{};
      t.it_value.tv_sec = timeoutMs / 1000;
      t.it_value.tv_usec = (timeoutMs % 1000) * 1000;
      setitimer(ITIMER_REAL, &t, nullptr);
    }
  }
  ~FaultGuard() {
    if (timer_) {
      itimerval off{};
      setitimer(ITIMER_REAL, &off, nullptr);
    }
    for (int i = 0; i < kCount; i++) sigaction(kSignals[i], &old_[i], nullptr);
    sigaltstack(&oldStack_, nullptr);
  }

 private:
  static constexpr int kCount = 5;
  static constexpr int kSignals[kCount] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM};
  bool timer_;
  std::array<char, 64 * 1024> altStack_;
  stack_t stack_{}, oldStack_{};
  struct sigaction old_[kCount];
};

std::string describeTimeout(const std::string& kernel, uint32_t ms) {
  return "kernel '" + kernel + "' did not finish within " + std::to_string(ms) +
         " ms; the emulator stopped it (an endless loop? a longer limit: MLX_TS_METAL_EMU_TIMEOUT_MS)";
}

std::string describeFault(const std::string& kernel) {
  std::ostringstream m;
  const char* what = faultSignal == SIGSEGV ? "invalid memory access (SIGSEGV)"
                     : faultSignal == SIGBUS ? "bus error (SIGBUS)"
                     : faultSignal == SIGFPE ? "arithmetic fault (SIGFPE: integer division by zero or overflow)"
                                             : "illegal instruction (SIGILL)";
  m << "kernel '" << kernel << "' faulted: " << what << " at address " << faultAddress
    << "; the emulator stopped it (device memory may be partly written)";
  return m.str();
}

// ---- sequential -------------------------------------------------------------

[[noreturn]] void failSequential(__emu::Lane* l, const char* message) {
  *static_cast<std::string*>(l->runner) = message;
  throw LaneAbort{};
}
void noBarrier(__emu::Lane*, int) {}
const __emu::SimdExchange& noExchange(__emu::Lane* l, const void*, size_t, int) {
  l->fail(l, "simd collective in a kernel run without fibers (the launcher generator missed it)");
  throw LaneAbort{};
}

// ---- fibers -----------------------------------------------------------------

enum class Wait { None, Barrier, Simd, SimdBarrier, Done };

struct FiberLane {
  __emu::Lane lane;  // first member: the runner's callbacks get back here from the Lane*
  ctx::fiber self, sink;
  Wait wait = Wait::None;
  int line = 0;
  size_t valueSize = 0;
  __emu::SimdExchange exchange{};
};

struct FiberGroup {
  std::vector<FiberLane> lanes;
  std::vector<std::array<unsigned char, kSimdWidth * kMaxSimdValue>> slots, snapshots;
  std::string failure;
};

/** Recycled fiber stacks (a dispatch creates a fiber per thread). */
class StackPool {
 public:
  static constexpr size_t kSize = 256 * 1024;
  ~StackPool() { for (void* p : free_) std::free(p); }
  void* take() {
    if (free_.empty()) return std::malloc(kSize);
    void* p = free_.back();
    free_.pop_back();
    return p;
  }
  void give(void* p) { free_.push_back(p); }

 private:
  std::vector<void*> free_;
};
thread_local StackPool stackPool;

struct PooledStack {
  ctx::stack_context allocate() {
    ctx::stack_context sc;
    void* p = stackPool.take();
    if (!p) throw std::bad_alloc();
    sc.size = StackPool::kSize;
    sc.sp = static_cast<char*>(p) + StackPool::kSize;
    return sc;
  }
  void deallocate(ctx::stack_context& sc) noexcept { stackPool.give(static_cast<char*>(sc.sp) - sc.size); }
};

FiberLane* asFiber(__emu::Lane* l) { return reinterpret_cast<FiberLane*>(l); }
FiberGroup* groupOf(__emu::Lane* l) { return static_cast<FiberGroup*>(l->runner); }

void suspend(FiberLane* f, Wait w, int line) {
  f->wait = w;
  f->line = line;
  f->sink = std::move(f->sink).resume();
}
void fiberBarrier(__emu::Lane* l, int line) { suspend(asFiber(l), Wait::Barrier, line); }
void fiberSimdBarrier(__emu::Lane* l, int line) { suspend(asFiber(l), Wait::SimdBarrier, line); }
const __emu::SimdExchange& fiberExchange(__emu::Lane* l, const void* value, size_t size, int line) {
  if (size > kMaxSimdValue) l->fail(l, "simd collective on a value larger than 64 bytes");
  FiberLane* f = asFiber(l);
  auto& slot = groupOf(l)->slots[l->simdgroup_index_in_threadgroup];
  std::memcpy(slot.data() + l->thread_index_in_simdgroup * size, value, size);
  f->valueSize = size;
  suspend(f, Wait::Simd, line);
  return f->exchange;
}
[[noreturn]] void fiberFail(__emu::Lane* l, const char* message) {
  FiberGroup* g = groupOf(l);
  if (g->failure.empty()) g->failure = message;
  throw LaneAbort{};
}

std::string linesOf(const std::vector<FiberLane*>& lanes) {
  std::vector<int> lines;
  for (FiberLane* f : lanes) if (std::find(lines.begin(), lines.end(), f->line) == lines.end()) lines.push_back(f->line);
  std::ostringstream s;
  for (size_t i = 0; i < lines.size(); i++) s << (i ? ", " : "") << lines[i];
  return s.str();
}

/** Releases simdgroups whose live lanes all wait at one collective; returns whether any was released. */
bool releaseSimdgroups(FiberGroup& g, std::string* error) {
  bool released = false;
  size_t simds = g.slots.size();
  for (size_t s = 0; s < simds; s++) {
    std::vector<FiberLane*> live;
    for (size_t i = s * kSimdWidth; i < std::min(g.lanes.size(), (s + 1) * kSimdWidth); i++)
      if (g.lanes[i].wait != Wait::Done) live.push_back(&g.lanes[i]);
    if (live.empty()) continue;
    Wait w = live[0]->wait;
    if (w != Wait::Simd && w != Wait::SimdBarrier) continue;
    bool same = std::all_of(live.begin(), live.end(), [&](FiberLane* f) { return f->wait == w && f->line == live[0]->line; });
    if (!same) {
      bool allWaiting = std::all_of(live.begin(), live.end(), [](FiberLane* f) { return f->wait == Wait::Simd || f->wait == Wait::SimdBarrier; });
      if (allWaiting) *error = "simdgroup " + std::to_string(s) + " waits at different simd collectives (MSL lines " + linesOf(live) + ")";
      continue;
    }
    uint32_t active = 0;
    for (FiberLane* f : live) active |= 1u << f->lane.thread_index_in_simdgroup;
    if (w == Wait::Simd) std::memcpy(g.snapshots[s].data(), g.slots[s].data(), kSimdWidth * live[0]->valueSize);
    for (FiberLane* f : live) {
      f->exchange = {g.snapshots[s].data(), active, f->lane.thread_index_in_simdgroup};
      f->wait = Wait::None;
    }
    released = true;
  }
  return released;
}

std::string runFiberGroup(const Launch& L, void* const* args, const GroupShape& shape, const uint32_t groupId[3],
                          const uint32_t groups[3], char* tgMemory) {
  FiberGroup g;
  g.lanes.resize(shape.count);
  size_t simds = (shape.count + kSimdWidth - 1) / kSimdWidth;
  g.slots.resize(simds);
  g.snapshots.resize(simds);
  for (uint32_t t = 0; t < shape.count; t++) {
    FiberLane* f = &g.lanes[t];
    setIds(f->lane, L, shape, t, groupId, groups);
    attach(f->lane, tgMemory, &g, {fiberBarrier, fiberSimdBarrier, fiberExchange, fiberFail});
    Launcher launcher = L.launcher;
    f->self = ctx::fiber(std::allocator_arg, PooledStack(), [f, launcher, args](ctx::fiber&& sink) {
      f->sink = std::move(sink);
      try {
        launcher(args, &f->lane);
      } catch (const ctx::detail::forced_unwind&) {
        throw;
      } catch (...) {
        FiberGroup* grp = groupOf(&f->lane);
        if (grp->failure.empty()) grp->failure = "the kernel thread threw an exception";
      }
      f->wait = Wait::Done;
      return std::move(f->sink);
    });
  }
  for (;;) {
    for (FiberLane& f : g.lanes) {
      if (f.wait != Wait::None) continue;
      inKernel = 1;
      f.self = std::move(f.self).resume();
      inKernel = 0;
      if (!g.failure.empty()) return g.failure;
      if (timedOut) return "timeout";
    }
    std::string error;
    bool released = releaseSimdgroups(g, &error);
    std::vector<FiberLane*> live;
    size_t done = 0;
    for (FiberLane& f : g.lanes) (f.wait == Wait::Done ? done++ : (live.push_back(&f), 0));
    if (live.empty()) return "";
    if (released) continue;
    bool atBarrier = std::all_of(live.begin(), live.end(), [](FiberLane* f) { return f->wait == Wait::Barrier; });
    if (atBarrier) {
      bool oneLine = std::all_of(live.begin(), live.end(), [&](FiberLane* f) { return f->line == live[0]->line; });
      if (!oneLine) return "threads of a threadgroup wait at different threadgroup_barrier calls (MSL lines " + linesOf(live) + ")";
      if (done) {
        return "divergent threadgroup_barrier at MSL line " + std::to_string(live[0]->line) + ": " + std::to_string(live.size()) + " of " +
               std::to_string(shape.count) + " threads of the threadgroup reached it, the others returned (a GPU would hang)";
      }
      for (FiberLane* f : live) f->wait = Wait::None;
      continue;
    }
    if (!error.empty()) return error;
    bool anyRunnable = std::any_of(live.begin(), live.end(), [](FiberLane* f) { return f->wait == Wait::None; });
    if (!anyRunnable) return "deadlock: threads wait at barriers and simd collectives no other thread reaches (MSL lines " + linesOf(live) + ")";
  }
}

// ---- OS threads (race detection) --------------------------------------------

/** A reusable rendezvous for a fixed set of live threads; a thread leaving early breaks a threadgroup barrier. */
struct Rendezvous {
  std::mutex m;
  std::condition_variable cv;
  size_t live = 0, arrived = 0, retired = 0;
  uint64_t generation = 0;
  int line = -1;
  uint32_t arrivedMask = 0, releasedMask = 0;
  bool broken = false;
};

struct ThreadGroup {
  Rendezvous barrier;
  std::vector<std::unique_ptr<Rendezvous>> simd;
  std::vector<std::array<unsigned char, kSimdWidth * kMaxSimdValue>> slots, snapshots;
  std::vector<__emu::Lane> lanes;
  std::vector<__emu::SimdExchange> exchanges;
  std::mutex failureLock;
  std::string failure;
  void fail(const std::string& why) {
    std::lock_guard<std::mutex> g(failureLock);
    if (failure.empty()) failure = why;
  }
};

ThreadGroup* threadGroupOf(__emu::Lane* l) { return static_cast<ThreadGroup*>(l->runner); }

void breakAll(ThreadGroup* g) {
  for (Rendezvous* r : [&] { std::vector<Rendezvous*> v{&g->barrier}; for (auto& s : g->simd) v.push_back(s.get()); return v; }()) {
    std::lock_guard<std::mutex> lock(r->m);
    r->broken = true;
    r->cv.notify_all();
  }
}

/** Waits until every live thread arrived at `line`; `onRelease` runs (locked) in the last arriver. */
template <class F>
void arrive(ThreadGroup* g, Rendezvous& r, int line, bool strict, uint32_t lane, F&& onRelease) {
  std::unique_lock<std::mutex> lock(r.m);
  if (r.broken) throw LaneAbort{};
  if (strict && r.retired) {
    g->fail("divergent threadgroup_barrier at MSL line " + std::to_string(line) + ": some threads of the threadgroup returned before it (a GPU would hang)");
    lock.unlock();
    breakAll(g);
    throw LaneAbort{};
  }
  if (r.arrived == 0) r.line = line;
  else if (r.line != line) {
    g->fail("threads wait at different barriers or collectives (MSL lines " + std::to_string(r.line) + " and " + std::to_string(line) + ")");
    lock.unlock();
    breakAll(g);
    throw LaneAbort{};
  }
  r.arrived++;
  r.arrivedMask |= 1u << (lane % 32);
  uint64_t gen = r.generation;
  if (r.arrived == r.live) {
    onRelease(r.arrivedMask);
    r.releasedMask = r.arrivedMask;
    r.arrived = 0;
    r.arrivedMask = 0;
    r.generation++;
    r.cv.notify_all();
    return;
  }
  r.cv.wait(lock, [&] { return r.generation != gen || r.broken; });
  if (r.generation == gen) throw LaneAbort{};
}

void retire(ThreadGroup* g, Rendezvous& r, bool strict) {
  std::unique_lock<std::mutex> lock(r.m);
  r.live--;
  r.retired++;
  if (r.arrived == 0) return;
  if (strict) {
    g->fail("divergent threadgroup_barrier at MSL line " + std::to_string(r.line) + ": a thread returned while others wait there (a GPU would hang)");
    lock.unlock();
    breakAll(g);
    return;
  }
  if (r.arrived == r.live) {
    r.releasedMask = r.arrivedMask;
    r.arrived = 0;
    r.arrivedMask = 0;
    r.generation++;
    r.cv.notify_all();
  }
}

void threadBarrier(__emu::Lane* l, int line) {
  ThreadGroup* g = threadGroupOf(l);
  arrive(g, g->barrier, line, true, 0, [](uint32_t) {});
}
void threadSimdBarrier(__emu::Lane* l, int line) {
  ThreadGroup* g = threadGroupOf(l);
  arrive(g, *g->simd[l->simdgroup_index_in_threadgroup], line, false, l->thread_index_in_simdgroup, [](uint32_t) {});
}
const __emu::SimdExchange& threadExchange(__emu::Lane* l, const void* value, size_t size, int line) {
  if (size > kMaxSimdValue) l->fail(l, "simd collective on a value larger than 64 bytes");
  ThreadGroup* g = threadGroupOf(l);
  uint32_t s = l->simdgroup_index_in_threadgroup, me = l->thread_index_in_simdgroup;
  Rendezvous& r = *g->simd[s];
  {
    std::lock_guard<std::mutex> lock(r.m);
    std::memcpy(g->slots[s].data() + me * size, value, size);
  }
  arrive(g, r, line, false, me, [&](uint32_t) { std::memcpy(g->snapshots[s].data(), g->slots[s].data(), kSimdWidth * size); });
  std::lock_guard<std::mutex> lock(r.m);
  __emu::SimdExchange& ex = g->exchanges[l->thread_index_in_threadgroup];
  ex = {g->snapshots[s].data(), r.releasedMask, me};
  return ex;
}
[[noreturn]] void threadFail(__emu::Lane* l, const char* message) {
  threadGroupOf(l)->fail(message);
  breakAll(threadGroupOf(l));
  throw LaneAbort{};
}

std::string runThreadGroup(const Launch& L, void* const* args, const GroupShape& shape, const uint32_t groupId[3],
                           const uint32_t groups[3], char* tgMemory) {
  ThreadGroup g;
  size_t simds = (shape.count + kSimdWidth - 1) / kSimdWidth;
  g.barrier.live = shape.count;
  for (size_t s = 0; s < simds; s++) {
    g.simd.push_back(std::make_unique<Rendezvous>());
    g.simd.back()->live = std::min<size_t>(kSimdWidth, shape.count - s * kSimdWidth);
  }
  g.slots.resize(simds);
  g.snapshots.resize(simds);
  g.lanes.resize(shape.count);
  g.exchanges.resize(shape.count);
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < shape.count; t++) {
    __emu::Lane& l = g.lanes[t];
    setIds(l, L, shape, t, groupId, groups);
    attach(l, tgMemory, &g, {threadBarrier, threadSimdBarrier, threadExchange, threadFail});
    threads.emplace_back([&g, &l, &L, args] {
      try {
        L.launcher(args, &l);
      } catch (const LaneAbort&) {
      } catch (...) {
        g.fail("the kernel thread threw an exception");
      }
      retire(&g, g.barrier, true);
      retire(&g, *g.simd[l.simdgroup_index_in_threadgroup], false);
    });
  }
  for (std::thread& t : threads) t.join();
  return g.failure;
}

}  // namespace

std::string runLaunch(const Launch& L) {
  for (int d = 0; d < 3; d++) {
    if (L.group[d] == 0) return "threadgroup size has a zero dimension";
  }
  uint64_t groupThreads = uint64_t(L.group[0]) * L.group[1] * L.group[2];
  if (groupThreads > 1024) return "threadgroup of " + std::to_string(groupThreads) + " threads exceeds 1024";
  if (uint64_t(L.grid[0]) * L.grid[1] * L.grid[2] == 0) return "";
  uint32_t groups[3];
  // in 64 bits: a grid dimension near 2^32 plus a threadgroup would wrap
  for (int d = 0; d < 3; d++) groups[d] = uint32_t((uint64_t(L.grid[d]) + L.group[d] - 1) / L.group[d]);
  void* const* args = L.buffers.data();
  alignas(64) static thread_local char tgMemory[kThreadgroupMemory];

  FaultGuard guard(L.schedule == Schedule::Threads ? 0 : L.timeoutMs);
  sigjmp_buf jump;
  std::string result;
  if (sigsetjmp(jump, 1)) {
    faultJump = nullptr;
    inKernel = 0;
    return faultSignal == SIGALRM ? describeTimeout(L.kernel, L.timeoutMs) : describeFault(L.kernel);
  }
  faultJump = L.schedule == Schedule::Threads ? nullptr : &jump;
  for (uint32_t gz = 0; gz < groups[2] && result.empty(); gz++)
    for (uint32_t gy = 0; gy < groups[1] && result.empty(); gy++)
      for (uint32_t gx = 0; gx < groups[0] && result.empty(); gx++) {
        uint32_t gid[3] = {gx, gy, gz};
        GroupShape shape;
        shape.count = 1;
        for (int d = 0; d < 3; d++) {
          uint64_t origin = uint64_t(gid[d]) * L.group[d];
          shape.origin[d] = uint32_t(origin);
          shape.size[d] = uint32_t(std::min<uint64_t>(L.group[d], uint64_t(L.grid[d]) - origin));
          shape.count *= shape.size[d];
        }
        std::memset(tgMemory, 0, sizeof tgMemory);
        if (L.schedule == Schedule::Fibers) {
          result = runFiberGroup(L, args, shape, gid, groups, tgMemory);
        } else if (L.schedule == Schedule::Threads) {
          result = runThreadGroup(L, args, shape, gid, groups, tgMemory);
        } else {
          __emu::Lane lane{};
          attach(lane, tgMemory, &result, {noBarrier, noBarrier, noExchange, failSequential});
          try {
            for (uint32_t t = 0; t < shape.count && !timedOut; t++) {
              setIds(lane, L, shape, t, gid, groups);
              inKernel = 1;
              L.launcher(args, &lane);
              inKernel = 0;
            }
            if (timedOut) result = "timeout";
          } catch (const LaneAbort&) {
          } catch (...) {
            if (result.empty()) result = "the kernel thread threw an exception";
          }
        }
      }
  faultJump = nullptr;
  if (result == "timeout") return describeTimeout(L.kernel, L.timeoutMs);
  return result.empty() ? "" : "kernel '" + L.kernel + "': " + result;
}

}  // namespace mlxts::emu
