// The dispatch runner (see runner.h). Fibers: each thread of a threadgroup is
// a fiber; a barrier or simd collective suspends it, and the scheduler
// releases a barrier when every live thread of the group (a collective: of
// the simdgroup) waits at the same line. A barrier that only some threads
// reach, or threads waiting at different ones, is an error where a GPU would
// hang. Faults (SIGSEGV, SIGFPE, ...) in a kernel become errors, not crashes:
// kernel threads run on mmap'd stacks above a guard page, threadgroup memory
// lies between guard pages, and a fault ends the faulting fiber (or OS
// thread) with an error. Failed bounds checks of checked kernels carry the
// code address that Launch::locate turns into a .metal line.
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

#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

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

/** Calls fn(groupId, shape) for each threadgroup of the grid (partial ones at the edges) until it returns false. */
template <class F>
void forEachGroup(const Launch& L, const uint32_t groups[3], F&& fn) {
  for (uint32_t gz = 0; gz < groups[2]; gz++)
    for (uint32_t gy = 0; gy < groups[1]; gy++)
      for (uint32_t gx = 0; gx < groups[0]; gx++) {
        uint32_t gid[3] = {gx, gy, gz};
        GroupShape shape;
        shape.count = 1;
        for (int d = 0; d < 3; d++) {
          uint64_t origin = uint64_t(gid[d]) * L.group[d];
          shape.origin[d] = uint32_t(origin);
          shape.size[d] = uint32_t(std::min<uint64_t>(L.group[d], uint64_t(L.grid[d]) - origin));
          shape.count *= shape.size[d];
        }
        if (!fn(gid, shape)) return;
      }
}

/** The call site of a failed check (fault_pc is the return address of the check's failure function), for Launch::locate. */
const void* callSite(const __emu::Lane* l) { return l->fault_pc ? static_cast<const char*>(l->fault_pc) - 1 : nullptr; }

/** A schedule's synchronization entry points, as a lane calls them. */
struct LaneCalls {
  void (*barrier)(__emu::Lane*, int);
  void (*simd_barrier)(__emu::Lane*, int);
  const __emu::SimdExchange& (*exchange)(__emu::Lane*, const void*, size_t, int);
  void (*fail)(__emu::Lane*, const char*);
};

/** Gives a lane its threadgroup memory, its runner state and the schedule's entry points. */
void attach(__emu::Lane& l, const Launch& L, char* tgMemory, void* runner, const LaneCalls& calls) {
  l.regions = L.regions.data();
  l.region_count = uint32_t(L.regions.size());
  l.fault_pc = nullptr;
  l.tg_memory = tgMemory;
  l.runner = runner;
  l.barrier = calls.barrier;
  l.simd_barrier = calls.simd_barrier;
  l.exchange = calls.exchange;
  l.fail = calls.fail;
}

// ---- memory with guard pages ------------------------------------------------

size_t pageSize() {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return page;
}

/** `usable` bytes (a multiple of the page size) between PROT_NONE pages: below always, above when asked. */
struct Guarded {
  char* mapping = nullptr;
  size_t mapped = 0;
  char* usable = nullptr;
  static Guarded map(size_t usable, bool guardAbove) {
    Guarded g;
    size_t page = pageSize();
    g.mapped = usable + page + (guardAbove ? page : 0);
    void* m = mmap(nullptr, g.mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return {};
    g.mapping = static_cast<char*>(m);
    g.usable = g.mapping + page;
    if (mprotect(g.mapping, page, PROT_NONE) != 0 || (guardAbove && mprotect(g.usable + usable, page, PROT_NONE) != 0)) {
      munmap(m, g.mapped);
      return {};
    }
    return g;
  }
  void unmap() {
    if (mapping) munmap(mapping, mapped);
    mapping = usable = nullptr;
  }
};

/** This OS thread's threadgroup memory, guard pages on both sides (an access past it faults instead of reaching other memory). */
struct ThreadgroupMemory {
  Guarded g;
  ~ThreadgroupMemory() { g.unmap(); }
  char* get() {
    if (!g.usable) g = Guarded::map(kThreadgroupMemory, true);
    return g.usable;
  }
};
thread_local ThreadgroupMemory threadgroupMemory;

// ---- fault capture ----------------------------------------------------------
//
// The handlers are installed once for the process and stay; a signal on a
// thread that is not running a kernel goes to the handler installed before
// them. A thread running kernels has an alternate signal stack (a fault on an
// overflowed stack has no stack left to run a handler on) and a jump target:
// in the fiber and sequential schedules, one on the faulting fiber's own
// stack, so the fiber ends and the group unwinds normally.

constexpr int kSignalCount = 5;
constexpr int kSignals[kSignalCount] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM};
struct sigaction previousActions[kSignalCount];

/** What the signal handler reads and writes for this thread. */
struct FaultState {
  /** Where a fault of kernel code jumps (null: this thread runs no kernel; signals go to the previous handler). */
  sigjmp_buf* jump;
  /** The launch's own target (runLaunch's frame), where `jump` returns whenever kernel code switches out. */
  sigjmp_buf* launchJump;
  int signal;
  void* address;
  const void* pc;
  /** Kernel code is running (not the runner's own code, which may hold the allocator's lock). */
  volatile sig_atomic_t inKernel;
  /** The timeout expired while the runner's own code ran: it stops at the next switch back to it. */
  volatile sig_atomic_t timedOut;
  /** The guard page under the stack that kernel code of this thread runs on, and that stack's size: a fault there is an overflow. */
  char* guardLow;
  size_t guardSize, stackSize;
};
// initial-exec: the handler may run on any thread, and reaching a dlopen'ed module's dynamic TLS there could allocate
#if defined(__linux__)
__attribute__((tls_model("initial-exec")))
#endif
thread_local FaultState fault{};

const void* pcOf(void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  if (!uc) return nullptr;
#if defined(__linux__) && defined(__x86_64__)
  return reinterpret_cast<const void*>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__linux__) && defined(__aarch64__)
  return reinterpret_cast<const void*>(uc->uc_mcontext.pc);
#elif defined(__APPLE__) && defined(__aarch64__)
  return reinterpret_cast<const void*>(uc->uc_mcontext->__ss.__pc);
#elif defined(__APPLE__) && defined(__x86_64__)
  return reinterpret_cast<const void*>(uc->uc_mcontext->__ss.__rip);
#else
  return nullptr;
#endif
}

/** A signal that is not ours: to the handler installed before (the default action if there was none). */
void chain(int sig, siginfo_t* info, void* context) {
  for (int i = 0; i < kSignalCount; i++) {
    if (kSignals[i] != sig) continue;
    const struct sigaction& a = previousActions[i];
    if ((a.sa_flags & SA_SIGINFO) && a.sa_sigaction) return a.sa_sigaction(sig, info, context);
    if (a.sa_handler == SIG_IGN) return;
    if (a.sa_handler != SIG_DFL && a.sa_handler) return a.sa_handler(sig);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/** Marks the kernel timeout's signals (a late one, after its dispatch ended, is dropped). */
int timerMark;

void onFault(int sig, siginfo_t* info, void* context) {
#ifdef __linux__
  if (sig == SIGALRM && info && info->si_code == SI_TIMER && info->si_value.sival_ptr == &timerMark && !fault.jump) return;
#endif
  if (!fault.jump) return chain(sig, info, context);
  if (sig == SIGALRM && !fault.inKernel) {
    fault.timedOut = 1;
    return;
  }
  fault.signal = sig;
  fault.address = info ? info->si_addr : nullptr;
  fault.pc = pcOf(context);
  siglongjmp(*fault.jump, 1);
}

void installHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = onFault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < kSignalCount; i++) sigaction(kSignals[i], &sa, &previousActions[i]);
  });
}

/** This thread's alternate signal stack memory (mapped on first use). */
struct AltStackMemory {
  static constexpr size_t kSize = 64 * 1024;
  Guarded g;
  ~AltStackMemory() { g.unmap(); }
};
thread_local AltStackMemory altStackMemory;

/** Gives the calling thread its alternate signal stack for the object's lifetime. */
class SignalStack {
 public:
  SignalStack() {
    Guarded& g = altStackMemory.g;
    if (!g.usable) g = Guarded::map(AltStackMemory::kSize, false);
    if (!g.usable) return;
    stack_t s{};
    s.ss_sp = g.usable;
    s.ss_size = AltStackMemory::kSize;
    set_ = sigaltstack(&s, &old_) == 0;
  }
  ~SignalStack() {
    if (set_) sigaltstack(&old_, nullptr);
  }
  SignalStack(const SignalStack&) = delete;
  SignalStack& operator=(const SignalStack&) = delete;

 private:
  stack_t old_{};
  bool set_ = false;
};

/**
 * The kernel timeout: SIGALRM to this thread `ms` after arming. Armed only
 * once the launch's jump target is set, and disarmed before it is cleared:
 * a signal of this launch never finds the thread without a target (a late
 * one, after the launch, is recognized and dropped).
 */
#ifdef __linux__
// a timer of this thread: a process-wide one would signal whichever thread (node's main one, while a worker runs the kernel)
struct ThreadTimer {
  timer_t id{};
  bool ok = false;
  ThreadTimer() {
    sigevent ev{};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev.sigev_value.sival_ptr = &timerMark;
    ev._sigev_un._tid = pid_t(syscall(SYS_gettid));
    ok = timer_create(CLOCK_MONOTONIC, &ev, &id) == 0;
  }
  ~ThreadTimer() {
    if (ok) timer_delete(id);
  }
};
void armTimer(uint32_t ms) {
  static thread_local ThreadTimer timer;
  if (!timer.ok) return;
  itimerspec t{};
  t.it_value.tv_sec = ms / 1000;
  t.it_value.tv_nsec = long(ms % 1000) * 1000000L;
  timer_settime(timer.id, 0, &t, nullptr);
}
#else
void armTimer(uint32_t ms) {
  itimerval t{};
  t.it_value.tv_sec = ms / 1000;
  t.it_value.tv_usec = (ms % 1000) * 1000;
  setitimer(ITIMER_REAL, &t, nullptr);
}
#endif
void disarmTimer() { armTimer(0); }

/** What ended a group: a message, the code address it came from (a failed check, a fault), or the timeout. */
struct Failure {
  std::string message;
  const void* pc = nullptr;
  bool timeout = false;
  bool empty() const { return message.empty() && !timeout; }
  void set(const std::string& m, const void* at) {
    if (!empty()) return;
    message = m;
    pc = at;
  }
};

/** The failure a caught signal stands for (read from this thread's fault state). */
Failure caughtFault() {
  Failure f;
  if (fault.signal == SIGALRM) {
    f.timeout = true;
    return f;
  }
  std::ostringstream m;
  char* at = static_cast<char*>(fault.address);
  bool overflow = fault.signal == SIGSEGV && fault.guardLow && at >= fault.guardLow && at < fault.guardLow + fault.guardSize;
  if (overflow) {
    m << "faulted: the stack of a kernel thread (" << fault.stackSize / 1024
      << " KiB) overflowed (thread-local arrays or recursion too large); the emulator stopped it (device memory may be partly written)";
  } else {
    const char* what = fault.signal == SIGSEGV ? "invalid memory access (SIGSEGV)"
                       : fault.signal == SIGBUS ? "bus error (SIGBUS)"
                       : fault.signal == SIGFPE ? "arithmetic fault (SIGFPE: integer division by zero or overflow)"
                                               : "illegal instruction (SIGILL)";
    m << "faulted: " << what << " at address " << fault.address << "; the emulator stopped it (device memory may be partly written)";
  }
  f.message = m.str();
  f.pc = fault.pc;
  return f;
}

std::string describeTimeout(const std::string& kernel, uint32_t ms) {
  return "kernel '" + kernel + "' did not finish within " + std::to_string(ms) +
         " ms; the emulator stopped it (an endless loop? a longer limit: MLX_TS_METAL_EMU_TIMEOUT_MS)";
}

/** "kernel 'k': message", "kernel 'k' faulted: ..." for faults; "kernel 'k' at file.metal:line: ..." where the line is known. */
std::string describe(const Launch& L, const Failure& f) {
  if (f.timeout) return describeTimeout(L.kernel, L.timeoutMs);
  std::string where = f.pc && L.locate ? L.locate(f.pc) : "";
  bool fault = f.message.rfind("faulted:", 0) == 0;
  return "kernel '" + L.kernel + "'" + (where.empty() ? "" : " at " + where) + (fault ? " " : ": ") + f.message;
}

/** Recycled kernel-thread stacks (a dispatch creates a fiber per thread): mmap'd, a guard page below (stacks grow down). */
class StackPool {
 public:
  ~StackPool() {
    for (Guarded& g : free_) g.unmap();
  }
  Guarded take() {
    if (free_.empty()) return Guarded::map(kKernelStackSize, false);
    Guarded g = free_.back();
    free_.pop_back();
    return g;
  }
  void give(const Guarded& g) { free_.push_back(g); }

 private:
  std::vector<Guarded> free_;
};
thread_local StackPool stackPool;

/** boost.context's stack allocator over the pool; `guard` receives the stack's guard page. */
struct PooledStack {
  char** guard;
  ctx::stack_context allocate() {
    Guarded g = stackPool.take();
    if (!g.usable) throw std::bad_alloc();
    *guard = g.mapping;
    ctx::stack_context sc;
    sc.size = kKernelStackSize;
    sc.sp = g.usable + kKernelStackSize;
    return sc;
  }
  void deallocate(ctx::stack_context& sc) noexcept {
    Guarded g;
    g.usable = static_cast<char*>(sc.sp) - kKernelStackSize;
    g.mapping = g.usable - pageSize();
    g.mapped = kKernelStackSize + pageSize();
    stackPool.give(g);
  }
};

/**
 * Kernel code starts or resumes on this thread. inKernel first, then the check:
 * a timeout that fired in the runner's own code (only noted then) stops it here.
 */
bool enterKernel() {
  fault.inKernel = 1;
  if (!fault.timedOut) return true;
  fault.inKernel = 0;
  return false;
}

/** Kernel code of this thread now runs on the pooled stack whose guard page is at `guard`, and faults jump to `jump`. */
void enterStack(char* guard, sigjmp_buf* jump) {
  fault.guardLow = guard;
  fault.guardSize = pageSize();
  fault.stackSize = kKernelStackSize;
  fault.jump = jump;
}

// ---- sequential -------------------------------------------------------------

[[noreturn]] void failSequential(__emu::Lane* l, const char* message) {
  static_cast<Failure*>(l->runner)->set(message, callSite(l));
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
  /** The guard page under this fiber's stack, and where a fault in it jumps (on that stack). */
  char* guard = nullptr;
  sigjmp_buf* jump = nullptr;
};

struct FiberGroup {
  std::vector<FiberLane> lanes;
  std::vector<std::array<unsigned char, kSimdWidth * kMaxSimdValue>> slots, snapshots;
  Failure failure;
};

FiberLane* asFiber(__emu::Lane* l) { return reinterpret_cast<FiberLane*>(l); }
FiberGroup* groupOf(__emu::Lane* l) { return static_cast<FiberGroup*>(l->runner); }

/**
 * Switches out of the fiber's kernel code and back. While it is out, a signal
 * must not jump into its frame: the jump target is the launch's, and a timeout
 * is only noted (inKernel is set exactly while kernel code runs).
 */
void suspend(FiberLane* f, Wait w, int line) {
  f->wait = w;
  f->line = line;
  fault.inKernel = 0;
  fault.jump = fault.launchJump;
  f->sink = std::move(f->sink).resume();
  enterStack(f->guard, f->jump);
  if (!enterKernel()) throw LaneAbort{};  // the scheduler reports the timeout
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
  groupOf(l)->failure.set(message, callSite(l));
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

/** The body of a kernel thread's fiber: runs `body` with faults on this stack caught here (the fiber then ends normally). */
template <class Body, class OnFault>
void guardedFiberBody(char* guard, sigjmp_buf** jumpOut, Body&& body, OnFault&& onFault) {
  sigjmp_buf jump;
  *jumpOut = &jump;
  enterStack(guard, &jump);
  if (sigsetjmp(jump, 0) == 0) {
    body();
  } else {
    fault.inKernel = 0;
    onFault(caughtFault());
  }
  // `jump` dies with this frame: from here to the switch out of the fiber, faults go to the launch
  fault.inKernel = 0;
  fault.jump = fault.launchJump;
}

Failure runFiberGroup(const Launch& L, void* const* args, const GroupShape& shape, const uint32_t groupId[3], const uint32_t groups[3],
                      char* tgMemory, sigjmp_buf* launchJump) {
  FiberGroup g;
  g.lanes.resize(shape.count);
  size_t simds = (shape.count + kSimdWidth - 1) / kSimdWidth;
  g.slots.resize(simds);
  g.snapshots.resize(simds);
  for (uint32_t t = 0; t < shape.count; t++) {
    FiberLane* f = &g.lanes[t];
    setIds(f->lane, L, shape, t, groupId, groups);
    attach(f->lane, L, tgMemory, &g, {fiberBarrier, fiberSimdBarrier, fiberExchange, fiberFail});
    Launcher launcher = L.launcher;
    f->self = ctx::fiber(std::allocator_arg, PooledStack{&f->guard}, [f, launcher, args](ctx::fiber&& sink) {
      f->sink = std::move(sink);
      FiberGroup* grp = groupOf(&f->lane);
      guardedFiberBody(
          f->guard, &f->jump,
          [&] {
            try {
              if (enterKernel()) launcher(args, &f->lane);
              fault.inKernel = 0;
            } catch (const ctx::detail::forced_unwind&) {
              fault.inKernel = 0;
              throw;
            } catch (const LaneAbort&) {
              fault.inKernel = 0;
            } catch (...) {
              fault.inKernel = 0;
              grp->failure.set("the kernel thread threw an exception", nullptr);
            }
          },
          [&](const Failure& caught) { if (grp->failure.empty()) grp->failure = caught; });
      f->wait = Wait::Done;
      return std::move(f->sink);
    });
  }
  for (;;) {
    for (FiberLane& f : g.lanes) {
      if (f.wait != Wait::None) continue;
      f.self = std::move(f.self).resume();
      fault.jump = launchJump;
      if (!g.failure.empty()) return g.failure;
      if (fault.timedOut) {
        Failure t;
        t.timeout = true;
        return t;
      }
    }
    std::string error;
    bool released = releaseSimdgroups(g, &error);
    std::vector<FiberLane*> live;
    size_t done = 0;
    for (FiberLane& f : g.lanes) (f.wait == Wait::Done ? done++ : (live.push_back(&f), 0));
    Failure out;
    if (live.empty()) return out;
    if (released) continue;
    bool atBarrier = std::all_of(live.begin(), live.end(), [](FiberLane* f) { return f->wait == Wait::Barrier; });
    if (atBarrier) {
      bool oneLine = std::all_of(live.begin(), live.end(), [&](FiberLane* f) { return f->line == live[0]->line; });
      if (!oneLine) {
        out.message = "threads of a threadgroup wait at different threadgroup_barrier calls (MSL lines " + linesOf(live) + ")";
        return out;
      }
      if (done) {
        out.message = "divergent threadgroup_barrier at MSL line " + std::to_string(live[0]->line) + ": " + std::to_string(live.size()) + " of " +
                      std::to_string(shape.count) + " threads of the threadgroup reached it, the others returned (a GPU would hang)";
        return out;
      }
      for (FiberLane* f : live) f->wait = Wait::None;
      continue;
    }
    if (!error.empty()) {
      out.message = error;
      return out;
    }
    bool anyRunnable = std::any_of(live.begin(), live.end(), [](FiberLane* f) { return f->wait == Wait::None; });
    if (!anyRunnable) {
      out.message = "deadlock: threads wait at barriers and simd collectives no other thread reaches (MSL lines " + linesOf(live) + ")";
      return out;
    }
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
  Failure failure;
  void fail(const std::string& why, const void* pc = nullptr) {
    std::lock_guard<std::mutex> g(failureLock);
    failure.set(why, pc);
  }
  void fail(const Failure& f) {
    std::lock_guard<std::mutex> g(failureLock);
    if (failure.empty()) failure = f;
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
  threadGroupOf(l)->fail(message, callSite(l));
  breakAll(threadGroupOf(l));
  throw LaneAbort{};
}

/** The calling OS thread's stack guard (a fault there is an overflow of this thread's stack). */
void enterThreadStack(sigjmp_buf* jump) {
  fault.jump = jump;
  fault.guardLow = nullptr;
#ifdef __linux__
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* low = nullptr;
  size_t size = 0, guard = 0;
  if (pthread_attr_getstack(&attr, &low, &size) == 0 && pthread_attr_getguardsize(&attr, &guard) == 0 && guard > 0) {
    fault.guardLow = static_cast<char*>(low) - guard;
    fault.guardSize = guard;
    fault.stackSize = size;
  }
  pthread_attr_destroy(&attr);
#endif
}

Failure runThreadGroup(const Launch& L, void* const* args, const GroupShape& shape, const uint32_t groupId[3], const uint32_t groups[3],
                       char* tgMemory) {
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
  threads.reserve(shape.count);
  for (uint32_t t = 0; t < shape.count; t++) {
    __emu::Lane& l = g.lanes[t];
    setIds(l, L, shape, t, groupId, groups);
    attach(l, L, tgMemory, &g, {threadBarrier, threadSimdBarrier, threadExchange, threadFail});
    auto body = [&g, &l, &L, args] {
      // each kernel thread catches its own faults, on its own signal stack (an overflow of its stack included)
      SignalStack altStack;
      sigjmp_buf jump;
      if (sigsetjmp(jump, 0) == 0) {
        enterThreadStack(&jump);
        try {
          L.launcher(args, &l);
        } catch (const LaneAbort&) {
        } catch (...) {
          g.fail("the kernel thread threw an exception");
        }
      } else {
        g.fail(caughtFault());
        breakAll(&g);
      }
      fault.jump = nullptr;
      retire(&g, g.barrier, true);
      retire(&g, *g.simd[l.simdgroup_index_in_threadgroup], false);
    };
    try {
      threads.emplace_back(body);
    } catch (const std::exception& e) {
      // no thread for the rest of the group: the started ones must not wait at a barrier for them
      g.fail(std::string("cannot start kernel thread ") + std::to_string(t) + " of the threadgroup (" + e.what() + ")");
      breakAll(&g);
      break;
    }
  }
  for (std::thread& t : threads) t.join();
  return g.failure;
}

/** One fiber that runs the threads of every threadgroup one after another (kernels without barriers or collectives). */
Failure runSequential(const Launch& L, void* const* args, const uint32_t groups[3], char* tgMemory, sigjmp_buf* launchJump) {
  Failure failure;
  char* guard = nullptr;
  sigjmp_buf* jump = nullptr;
  ctx::fiber fiber(std::allocator_arg, PooledStack{&guard}, [&](ctx::fiber&& sink) {
    guardedFiberBody(
        guard, &jump,
        [&] {
          __emu::Lane lane{};
          attach(lane, L, tgMemory, &failure, {noBarrier, noBarrier, noExchange, failSequential});
          size_t used = kThreadgroupMemory;
          try {
            forEachGroup(L, groups, [&](const uint32_t gid[3], const GroupShape& shape) {
              std::memset(tgMemory, 0, used);
              used = 0;
              for (uint32_t t = 0; t < shape.count; t++) {
                setIds(lane, L, shape, t, gid, groups);
                if (!enterKernel()) break;
                L.launcher(args, &lane);
                fault.inKernel = 0;
                used = std::max(used, lane.tg_cursor);
              }
              if (fault.timedOut) failure.timeout = true;
              return failure.empty();
            });
          } catch (const LaneAbort&) {
            fault.inKernel = 0;
          } catch (...) {
            fault.inKernel = 0;
            failure.set("the kernel thread threw an exception", nullptr);
          }
        },
        [&](const Failure& caught) { if (failure.empty()) failure = caught; });
    return std::move(sink);
  });
  fiber = std::move(fiber).resume();
  fault.jump = launchJump;
  return failure;
}

}  // namespace

static std::string runLaunchUnguarded(const Launch& L);

std::string runLaunch(const Launch& L) {
  // nothing may leave as a C++ exception: above the device it would cross N-API and abort the process
  try {
    return runLaunchUnguarded(L);
  } catch (const std::exception& e) {
    if (fault.launchJump) disarmTimer();
    fault.jump = fault.launchJump = nullptr;
    fault.inKernel = 0;
    return "kernel '" + L.kernel + "': the emulator could not run it (" + e.what() + ")";
  }
}

static std::string runLaunchUnguarded(const Launch& L) {
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
  char* tgMemory = threadgroupMemory.get();
  if (!tgMemory) return "kernel '" + L.kernel + "': cannot map the emulator's threadgroup memory";

  installHandlers();
  SignalStack altStack;
  uint32_t timeoutMs = L.schedule == Schedule::Threads ? 0 : L.timeoutMs;
  sigjmp_buf jump;
  // a fault outside any kernel fiber (the runner's own code) ends the launch here
  if (sigsetjmp(jump, 1)) {
    if (timeoutMs) disarmTimer();
    fault.jump = fault.launchJump = nullptr;
    fault.inKernel = 0;
    return describe(L, caughtFault());
  }
  fault.jump = fault.launchJump = &jump;
  fault.timedOut = 0;
  if (timeoutMs) armTimer(timeoutMs);
  fault.guardLow = nullptr;
  Failure result;
  if (L.schedule == Schedule::Sequential) {
    result = runSequential(L, args, groups, tgMemory, &jump);
  } else {
    size_t used = kThreadgroupMemory;
    forEachGroup(L, groups, [&](const uint32_t gid[3], const GroupShape& shape) {
      std::memset(tgMemory, 0, used);
      used = kThreadgroupMemory;
      result = L.schedule == Schedule::Fibers ? runFiberGroup(L, args, shape, gid, groups, tgMemory, &jump)
                                              : runThreadGroup(L, args, shape, gid, groups, tgMemory);
      return result.empty();
    });
  }
  if (timeoutMs) disarmTimer();
  fault.jump = fault.launchJump = nullptr;
  return result.empty() ? "" : describe(L, result);
}

}  // namespace mlxts::emu
