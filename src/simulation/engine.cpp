#include "simulation/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

#include "servicechain/error.hpp"

namespace servicechain::detail {

// ---------------------------------------------------------------- the model image

namespace {

/// The steps of a periodic function over one period: (offset, value) at 0 and wherever the
/// value changes, in time order.
std::vector<std::pair<double, double>> periodic_steps(const periodic_schedule& f) {
  std::vector<double> points{0.0};
  for (const time_window& w : f.windows) {
    points.push_back(w.from);
    if (w.to < f.period) points.push_back(w.to);
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<std::pair<double, double>> steps;
  for (const double at : points) {
    const double value = f.value_at(at);
    if (steps.empty() || steps.back().second != value) steps.emplace_back(at, value);
  }
  return steps;
}

}  // namespace

sim_model make_sim_model(const service_graph& g, const model_numbers& numbers) {
  sim_model m;
  const std::size_t n = g.unit_count();
  m.units.resize(n);
  m.links.resize(g.link_count());

  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const link_index li{l};
    const auto& t = g.link(li);
    const auto& p = numbers.link(li);
    auto& s = m.links[l];
    s.provider = t.provider.value();
    s.consumer = t.consumer.value();
    s.sync = t.mode == link_mode::sync;
    const double whole = std::floor(p.requests);
    s.whole = static_cast<std::uint32_t>(whole);
    s.fraction = p.requests - whole;
    s.acceptance = p.acceptance;
    // Working hours: the model's own service times, not the time-average rule's (compile_unit).
    const auto& provider = numbers.unit(t.provider);
    const double mean = !provider.schedule ? numbers.service_time(li)
                        : p.service_time    ? *p.service_time * provider.speed
                                            : provider.model_service_time;
    s.service = service_distribution::from_moments(mean, numbers.service_scv(li));
  }

  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    const auto& p = numbers.unit(u);
    auto& s = m.units[i];
    s.in_begin = static_cast<std::uint32_t>(m.in_links.size());
    for (const link_index l : g.in_links(u)) m.in_links.push_back(l.value());
    s.in_end = static_cast<std::uint32_t>(m.in_links.size());
    s.external = g.is_external(u);
    s.service_time = p.model_service_time;
    s.cost_per_time = p.cost_per_time;
    s.cost_per_request = p.cost_per_request;
    if (s.external) continue;
    s.servers = p.unlimited_servers ? 0U : static_cast<std::uint32_t>(std::min(p.servers, double{1U << 30}));
    s.capacity = s.servers;
    if (p.schedule) {
      const auto steps = periodic_steps(*p.schedule);
      s.change_begin = static_cast<std::uint32_t>(m.changes.size());
      std::uint32_t most = 0;
      for (const auto& [at, value] : steps) {
        const auto servers = static_cast<std::uint32_t>(std::min(value, double{1U << 30}));
        m.changes.push_back({at, servers});
        most = std::max(most, servers);
      }
      s.change_end = static_cast<std::uint32_t>(m.changes.size());
      s.period = p.schedule->period;
      s.servers = most;
      s.capacity = p.schedule->time_average();
    }
    if (p.unlimited_servers) {
      s.policy = unit_policy::infinite;
    } else if (p.queue_discipline == discipline::shared) {
      s.policy = unit_policy::shared;
    } else {
      s.policy = unit_policy::queue;
    }
    // Priority levels of the unit's links (its consumers): a key per link, lower first, then
    // the distinct keys ranked. Re-checks use the level of the link their item goes on.
    const auto out = g.out_links(u);
    std::vector<std::int64_t> keys(out.size(), 0);
    for (std::size_t k = 0; k < out.size(); ++k) {
      const bool to_customer = g.is_external(g.link(out[k]).consumer);
      switch (p.queue_discipline) {
        case discipline::external_first:
          keys[k] = to_customer ? 0 : 1;
          break;
        case discipline::internal_first:
          keys[k] = to_customer ? 1 : 0;
          break;
        case discipline::priority:
          keys[k] = numbers.link(out[k]).priority;
          break;
        default:
          break;
      }
    }
    std::vector<std::int64_t> distinct = keys;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    s.levels =
        s.policy == unit_policy::queue ? std::max<std::uint32_t>(1, static_cast<std::uint32_t>(distinct.size())) : 1;
    for (std::size_t k = 0; k < out.size(); ++k) {
      m.links[out[k].value()].level =
          s.policy == unit_policy::queue
              ? static_cast<std::uint32_t>(std::lower_bound(distinct.begin(), distinct.end(), keys[k]) -
                                           distinct.begin())
              : 0;
    }
    if (s.policy == unit_policy::queue) {
      s.level_begin = m.level_count;
      m.level_count += s.levels;
      s.preemptive = p.preemptive && s.levels > 1;
      if (s.preemptive) {
        s.slot_begin = m.slot_count;
        m.slot_count += s.servers;
      }
    }
  }

  for (const unit_index c : g.customers()) {
    const auto& p = numbers.unit(c);
    sim_class k;
    k.customer = c.value();
    k.open = p.open_class;
    k.demand = p.demand;
    k.population = p.open_class ? 0 : static_cast<std::uint32_t>(std::max<std::int64_t>(0, p.population));
    k.think_time = p.think_time;
    if (p.profile && k.open && k.demand > 0) {
      const double average = p.profile->time_average();
      k.piece_begin = static_cast<std::uint32_t>(m.pieces.size());
      for (const auto& [at, weight] : periodic_steps(*p.profile)) m.pieces.push_back({at, k.demand * weight / average});
      k.piece_end = static_cast<std::uint32_t>(m.pieces.size());
      k.period = p.profile->period;
      k.mass = k.demand * k.period;
    }
    m.classes.push_back(k);
  }
  return m;
}

namespace {

// ---------------------------------------------------------------- the event calendar

// A boundary ends the warm-up (target 0) or batch k of the observed time (target k ≥ 1).
// A capacity event is a change of a unit's servers (working hours): its version is the
// index of the change in `sim_model::changes`.
enum class event_type : std::uint8_t { arrival, service_end, shared_end, boundary, capacity };

struct event {
  std::uint64_t key;      // the time's bit pattern: times are ≥ 0, so the integers order like them
  std::uint64_t order;    // (sequence << 3) | type: events at the same time go in scheduling order
  std::uint32_t target;   // class, job or unit
  std::uint32_t version;  // a service end is valid only while its target has this version
  [[nodiscard]] double time() const noexcept { return std::bit_cast<double>(key); }
};

/// A 4-ary min-heap of POD events ordered by (time, scheduling order), compared as integers
/// so that the choice of a child compiles without unpredictable branches. Its storage only
/// grows, so in the steady state no event allocates.
class event_calendar {
 public:
  void push(double time, event_type type, std::uint32_t target, std::uint32_t version = 0) {
    const event e{std::bit_cast<std::uint64_t>(time + 0.0),  // + 0.0 turns −0 into +0
                  (sequence_++ << 3) | static_cast<std::uint64_t>(type), target, version};
    std::size_t hole = heap_.size();
    heap_.push_back(e);
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / arity;
      if (!before(e, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      hole = parent;
    }
    heap_[hole] = e;
  }

  /// Removes and returns the earliest event; the calendar must not be empty.
  event pop() {
    const event top = heap_.front();
    const event last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n > 0) {
      std::size_t hole = 0;
      for (;;) {
        const std::size_t first = arity * hole + 1;
        if (first >= n) break;
        const std::size_t end = std::min(first + arity, n);
        std::size_t best = first;
        for (std::size_t c = first + 1; c < end; ++c) best = before(heap_[c], heap_[best]) ? c : best;
        if (!before(heap_[best], last)) break;
        heap_[hole] = heap_[best];
        hole = best;
      }
      heap_[hole] = last;
    }
    return top;
  }

  [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }

 private:
  static constexpr std::size_t arity = 4;
  static bool before(const event& a, const event& b) noexcept {
    return (a.key < b.key) | ((a.key == b.key) & (a.order < b.order));
  }
  std::vector<event> heap_;
  std::uint64_t sequence_ = 0;
};

// ---------------------------------------------------------------- jobs

/// What a job is doing.
enum class phase : std::uint8_t {
  gather,   ///< obtaining its sync inputs
  first,    ///< first pass at its producer
  redo,     ///< redo at its producer after a rejection
  recheck,  ///< re-check at its consumer after a redo
};

/// An item in progress: a fresh item of a unit for one of its links (or a customer's
/// request, the root of the tree of items it needs). POD, kept in a pool with a free list.
struct job {
  double requested = 0;                   // when the current service was requested; a root: when it arrived
  double work = 0;                        // requirement of the current service
  double left = 0;                        // remaining requirement (queue policy) or finish tag (processor sharing)
  double started = 0;                     // start of the current service segment
  std::uint32_t parent = no_index;        // the job waiting for this one (sync), else none
  std::uint32_t next = no_index;          // queue link, or free-list link
  std::uint32_t link = no_index;          // the link it delivers on; none for a root
  std::uint32_t recheck_link = no_index;  // link of the consumer's re-checks; none at a customer
  std::uint32_t service_link = no_index;  // the link of the service in progress
  std::uint32_t in_pos = 0;               // next in-link to draw (position in sim_model::in_links)
  std::uint32_t cur_link = no_index;      // the sync in-link being gathered
  std::uint32_t remaining = 0;            // sync requests still to make on cur_link
  std::uint32_t version = 0;              // bumped when a scheduled service end is cancelled
  std::uint32_t unit = 0;                 // the producing unit (a root: its customer)
  std::uint32_t slot = no_index;          // preemptive units: its in-service slot
  std::uint32_t klass = 0;                // the class of the request it serves
  std::uint32_t flow = no_index;          // the random streams it draws from
  phase step = phase::gather;
  bool waited_for = false;  // a request waits for it: its sojourns are lead time
};

/// The random numbers of one request, or of one tree of items an async request starts: every
/// draw for it comes from its own streams, in the order the tree is worked through (a fixed
/// order: sync inputs are obtained one after another). So the same request meets the same
/// service requirements, request counts and acceptance decisions in every scenario simulated
/// with the same seed, however the timing changes — common random numbers synchronized by
/// request (Law, *Simulation Modeling and Analysis*, 5th ed., 2015, §11.2.3).
struct flow {
  random_stream service, requests, acceptance;
  std::uint32_t jobs = 0;         // live jobs drawing from it
  std::uint32_t next = no_index;  // free list
};

// ---------------------------------------------------------------- per-replication state

struct unit_state {
  std::uint32_t in_unit = 0;  // services requested and not completed
  std::uint32_t busy = 0;     // busy servers (shared: min(in_unit, c); infinite: in_unit)
  std::uint32_t servers = 0;  // servers at work now (queue policy; working hours change it)
  double last = 0;            // last time the counts changed
  double area_in_unit = 0, area_busy = 0;
  std::uint64_t requested = 0, delayed = 0, completed = 0;
  double sum_wait = 0, sum_sojourn = 0;
  // processor sharing
  double virtual_time = 0;  // work each service in hand has received since time 0
  double last_shared = 0;   // time of the last update of virtual_time
  std::uint32_t version = 0;
};

struct link_state {
  std::uint64_t services = 0, first = 0, redos = 0;
  double sum_wait = 0, sum_sojourn = 0;
};

struct class_state {
  std::uint64_t started = 0, completed = 0;
  double sum_lead = 0;
  std::vector<double> lead_times;
};

struct shared_entry {
  double tag;  // virtual time at which the service is done
  std::uint32_t job;
};
bool later(const shared_entry& a, const shared_entry& b) noexcept {
  return a.tag > b.tag || (a.tag == b.tag && a.job > b.job);
}

class engine {
 public:
  engine(const sim_model& model, const replication_settings& settings, std::uint64_t index)
      : model_(model), settings_(settings), index_(index) {
    const std::size_t n = model.units.size(), links = model.links.size(), classes = model.classes.size();
    units_.resize(n);
    links_.resize(links);
    classes_.resize(classes);
    head_.assign(model.level_count, no_index);
    tail_.assign(model.level_count, no_index);
    slots_.assign(model.slot_count, no_index);
    shared_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const sim_unit& u = model.units[i];
      units_[i].servers = u.change_begin < u.change_end ? model.changes[u.change_begin].servers : u.servers;
    }
    unit_class_services_.assign(n * classes, 0);
    if (settings.lead_time_by_unit) unit_class_lead_.assign(n * classes, 0.0);
    arrival_streams_.reserve(classes);
    for (std::size_t c = 0; c < classes; ++c) {
      arrival_streams_.emplace_back(stream_seed(settings.seed, index, stream_purpose::arrivals, c));
      const auto& k = model.classes[c];
      if (keep_lead_times_ && k.open && k.demand > 0) {  // a batch's lead times, with room to spare
        const double expected = k.demand * settings.horizon / static_cast<double>(settings.batches);
        classes_[c].lead_times.reserve(static_cast<std::size_t>(std::min(1e8, expected * 1.05 + 64)));
      }
    }
  }

  std::vector<replication_result> run(const std::function<void(double)>& progress) {
    const std::size_t batches = settings_.batches;
    for (std::size_t k = 0; k <= batches; ++k)
      calendar_.push(boundary(k), event_type::boundary, static_cast<std::uint32_t>(k));
    for (std::uint32_t i = 0; i < model_.units.size(); ++i) {  // working hours: the first change after 0
      const sim_unit& u = model_.units[i];
      if (u.change_end - u.change_begin > 1)
        calendar_.push(model_.changes[u.change_begin + 1].at, event_type::capacity, i, u.change_begin + 1);
    }
    for (std::uint32_t c = 0; c < model_.classes.size(); ++c) {
      const auto& k = model_.classes[c];
      if (k.open) {
        if (k.demand > 0) calendar_.push(next_arrival(c, 0.0), event_type::arrival, c);
      } else {
        for (std::uint32_t m = 0; m < k.population; ++m)
          calendar_.push(arrival_streams_[c].exponential(k.think_time), event_type::arrival, c);
      }
    }

    std::vector<replication_result> results;
    results.reserve(batches);
    std::uint64_t events = 0;
    double reported = 0;
    for (;;) {
      const event e = calendar_.pop();
      now_ = e.time();
      switch (static_cast<event_type>(e.order & 7U)) {
        case event_type::arrival:
          arrive(e.target);
          break;
        case event_type::service_end:
          if (jobs_[e.target].version != e.version) continue;  // cancelled by a preemption
          finish_service(e.target);
          break;
        case event_type::shared_end:
          if (units_[e.target].version != e.version) continue;  // superseded
          finish_shared(e.target);
          break;
        case event_type::capacity:
          change_servers(e.target, e.version);
          break;
        case event_type::boundary:
          if (e.target > 0) {
            results.push_back(figures(events, boundary(e.target) - boundary(e.target - 1)));
            events = 0;
          }
          if (e.target == batches) {
            if (progress) progress(now_ - reported);
            return results;
          }
          start_observing();
          continue;
      }
      ++events;
      if (progress && (events & 0xffffU) == 0) {
        progress(now_ - reported);
        reported = now_;
      }
    }
  }

 private:
  /// The end of the warm-up (k = 0) or of batch k.
  [[nodiscard]] double boundary(std::size_t k) const noexcept {
    return settings_.warmup + settings_.horizon * static_cast<double>(k) / static_cast<double>(settings_.batches);
  }

  // ---- the job pool
  std::uint32_t allocate() {
    std::uint32_t j;
    if (free_ != no_index) {
      j = free_;
      free_ = jobs_[j].next;
    } else {
      if (jobs_.size() >= settings_.max_items) too_many();
      j = static_cast<std::uint32_t>(jobs_.size());
      jobs_.emplace_back();
    }
    const std::uint32_t version = jobs_[j].version;
    jobs_[j] = job{};
    jobs_[j].version = version;
    return j;
  }
  void release(std::uint32_t j) {
    const std::uint32_t f = jobs_[j].flow;
    if (--flows_[f].jobs == 0) {
      flows_[f].next = free_flow_;
      free_flow_ = f;
    }
    ++jobs_[j].version;  // a stale event can never match a reused slot
    jobs_[j].next = free_;
    free_ = j;
  }
  /// A flow whose streams derive from `seed`, with no job yet.
  std::uint32_t new_flow(std::uint64_t seed) {
    std::uint32_t f;
    if (free_flow_ != no_index) {
      f = free_flow_;
      free_flow_ = flows_[f].next;
    } else {
      f = static_cast<std::uint32_t>(flows_.size());
      flows_.emplace_back();
    }
    flow& x = flows_[f];
    x.service = random_stream(stream_seed(seed, 0, stream_purpose::service, 0));
    x.requests = random_stream(stream_seed(seed, 0, stream_purpose::requests, 0));
    x.acceptance = random_stream(stream_seed(seed, 0, stream_purpose::acceptance, 0));
    x.jobs = 0;
    return f;
  }
  [[noreturn]] void too_many() const {
    throw error(error_code::too_large,
                fmt::format("simulation replication {}: more than {} items in progress at time {:.6g}, but "
                            "max_items_in_progress = {}; is some unit close to saturation?",
                            index_, settings_.max_items, now_, settings_.max_items));
  }

  // ---- requests and items
  void arrive(std::uint32_t c) {
    const auto& k = model_.classes[c];
    if (k.open) calendar_.push(next_arrival(c, now_), event_type::arrival, c);
    ++classes_[c].started;
    const std::uint32_t f = new_flow(arrival_streams_[c].next());
    const std::uint32_t j = allocate();
    job& r = jobs_[j];
    r.flow = f;
    ++flows_[f].jobs;
    r.requested = now_;
    r.unit = k.customer;
    r.in_pos = model_.units[k.customer].in_begin;
    r.klass = c;
    r.waited_for = true;
    advance(j);
  }

  /// The time of the next arrival of open class c after `t`. A constant rate λ: t + an
  /// exponential of mean 1/λ. A demand profile (a piecewise-constant rate λ(t)): the time
  /// where the integrated rate Λ has grown by an exponential E of mean 1 since t, found piece
  /// by piece — the inversion method for a non-homogeneous Poisson process (Law, *Simulation
  /// Modeling and Analysis*, 5th ed., 2015, §8.6.2), exact, one variate per arrival.
  double next_arrival(std::uint32_t c, double t) {
    const sim_class& k = model_.classes[c];
    if (k.piece_begin == k.piece_end) return t + arrival_streams_[c].exponential(1.0 / k.demand);
    double need = arrival_streams_[c].exponential(1.0);
    double cycle = std::floor(t / k.period);
    double at = t - cycle * k.period;  // offset into the period
    if (at >= k.period) {              // rounding
      at = 0;
      cycle += 1;
    }
    if (need >= k.mass) {  // whole periods first: each brings `mass` expected arrivals
      const double whole = std::floor(need / k.mass);
      need = std::max(0.0, need - whole * k.mass);
      cycle += whole;
    }
    std::uint32_t i = k.piece_begin;
    while (i + 1 < k.piece_end && model_.pieces[i + 1].from <= at) ++i;
    for (;;) {
      const double end = i + 1 < k.piece_end ? model_.pieces[i + 1].from : k.period;
      const double rate = model_.pieces[i].rate;
      const double expected = rate * (end - at);
      if (rate > 0 && need <= expected) return std::max(t, cycle * k.period + at + need / rate);
      need -= expected;
      at = end;
      if (++i == k.piece_end) {
        i = k.piece_begin;
        at = 0;
        cycle += 1;
      }
    }
  }

  /// Working hours: unit u's servers become those of change `index`, and the next change is
  /// scheduled. Services in progress when servers go away finish (docs/simulation.md,
  /// "Working hours"); waiting ones start as servers come.
  void change_servers(std::uint32_t u, std::uint32_t index) {
    const sim_unit& unit = model_.units[u];
    unit_state& s = units_[u];
    const capacity_change& change = model_.changes[index];
    account(s);
    s.servers = change.servers;
    start_waiting(u);
    // The period this change falls in, then the next change (the first of the next period
    // after the last).
    double cycle = std::round((now_ - change.at) / unit.period);
    std::uint32_t next = index + 1;
    if (next == unit.change_end) {
      next = unit.change_begin;
      cycle += 1;
    }
    calendar_.push(cycle * unit.period + model_.changes[next].at, event_type::capacity, u, next);
  }

  /// Starts waiting services of queue unit u while it has free servers: the first of the
  /// highest non-empty level each time.
  void start_waiting(std::uint32_t u) {
    const sim_unit& unit = model_.units[u];
    unit_state& s = units_[u];
    while (s.in_unit > s.busy && s.busy < s.servers) {
      for (std::uint32_t q = unit.level_begin;; ++q) {
        const std::uint32_t next = head_[q];
        if (next == no_index) continue;
        head_[q] = jobs_[next].next;
        if (head_[q] == no_index) tail_[q] = no_index;
        ++s.busy;
        start(next);
        break;
      }
    }
  }

  /// A new item of link l's provider for the job `parent` (sync: `parent` waits for it).
  std::uint32_t spawn(std::uint32_t parent, std::uint32_t l, bool sync) {
    const job& p = jobs_[parent];
    const std::uint32_t klass = p.klass;
    const bool waited = sync && p.waited_for;
    const std::uint32_t recheck = model_.units[p.unit].external ? no_index : p.link;
    // A sync input shares its consumer's flow; an async one starts a flow of its own, seeded by
    // a draw from the consumer's request stream (its own draws then happen whenever it runs,
    // without moving the consumer's).
    const std::uint32_t f = sync ? p.flow : new_flow(flows_[p.flow].requests.next());
    ++flows_[f].jobs;
    const std::uint32_t j = allocate();  // may move jobs_: p is not used below
    job& c = jobs_[j];
    c.parent = sync ? parent : no_index;
    c.link = l;
    c.recheck_link = recheck;
    c.unit = model_.links[l].provider;
    c.in_pos = model_.units[c.unit].in_begin;
    c.klass = klass;
    c.waited_for = waited;
    c.flow = f;
    return j;
  }

  std::uint32_t draw_requests(std::uint32_t l, std::uint32_t f) {
    const auto& link = model_.links[l];
    return link.whole + (link.fraction > 0 && flows_[f].requests.bernoulli(link.fraction) ? 1U : 0U);
  }

  /// Moves job j (and then whatever it unblocks) as far as it goes without time passing:
  /// through its inputs, down into the items it needs, until each job waits for a service.
  /// Iterative, so that long chains do not deepen the call stack.
  void advance(std::uint32_t j) {
    for (;;) {
      job* x = &jobs_[j];
      if (x->remaining > 0) {
        --x->remaining;
        j = spawn(j, x->cur_link, true);
        continue;
      }
      if (x->in_pos < model_.units[x->unit].in_end) {
        const std::uint32_t l = model_.in_links[x->in_pos++];
        const std::uint32_t count = draw_requests(l, x->flow);
        if (model_.links[l].sync) {
          x->cur_link = l;
          x->remaining = count;
        } else {
          for (std::uint32_t k = 0; k < count; ++k) pending_.push_back(spawn(j, l, false));
        }
        continue;
      }
      if (x->link == no_index) {
        complete_request(j);
      } else {
        x->step = phase::first;
        request_service(j, x->link);
      }
      if (pending_.empty()) return;
      j = pending_.back();
      pending_.pop_back();
    }
  }

  void complete_request(std::uint32_t j) {
    const job& r = jobs_[j];
    const std::uint32_t c = r.klass;
    const double lead = now_ - r.requested;
    auto& s = classes_[c];
    ++s.completed;
    s.sum_lead += lead;
    if (keep_lead_times_) s.lead_times.push_back(lead);
    release(j);
    const auto& k = model_.classes[c];
    if (!k.open) calendar_.push(now_ + arrival_streams_[c].exponential(k.think_time), event_type::arrival, c);
  }

  /// A service completed (job j's first pass, redo or re-check): check, redo, or deliver.
  void after_service(std::uint32_t j) {
    job& x = jobs_[j];
    switch (x.step) {
      case phase::redo:
        if (x.recheck_link != no_index) {
          x.step = phase::recheck;
          request_service(j, x.recheck_link);
          return;
        }
        break;
      case phase::first:
      case phase::recheck:
      case phase::gather:
        break;
    }
    const double acceptance = model_.links[x.link].acceptance;
    if (acceptance < 1.0 && !flows_[x.flow].acceptance.bernoulli(acceptance)) {
      x.step = phase::redo;
      request_service(j, x.link);
      return;
    }
    const std::uint32_t parent = x.parent;
    release(j);
    if (parent != no_index) advance(parent);
  }

  // ---- units
  void account(unit_state& s) noexcept {
    const double dt = now_ - s.last;
    s.area_in_unit += dt * s.in_unit;
    s.area_busy += dt * s.busy;
    s.last = now_;
  }

  void request_service(std::uint32_t j, std::uint32_t l) {
    const sim_link& link = model_.links[l];
    const std::uint32_t u = link.provider;
    const sim_unit& unit = model_.units[u];
    unit_state& s = units_[u];
    job& x = jobs_[j];
    x.service_link = l;
    x.requested = now_;
    x.work = link.service.sample(flows_[x.flow].service);
    x.left = x.work;
    account(s);
    ++s.requested;
    switch (unit.policy) {
      case unit_policy::infinite:
        ++s.in_unit;
        ++s.busy;
        start(j);
        return;
      case unit_policy::shared:
        arrive_shared(j, u);
        return;
      case unit_policy::queue:
        break;
    }
    ++s.in_unit;
    if (s.busy < s.servers) {
      ++s.busy;
      if (unit.preemptive) take_free_slot(j, unit);
      start(j);
      return;
    }
    ++s.delayed;
    if (unit.preemptive && preempt_for(j, unit)) return;
    const std::uint32_t level = unit.level_begin + link.level;
    x.next = no_index;
    if (tail_[level] == no_index) {
      head_[level] = j;
    } else {
      jobs_[tail_[level]].next = j;
    }
    tail_[level] = j;
  }

  void start(std::uint32_t j) {
    job& x = jobs_[j];
    x.started = now_;
    calendar_.push(now_ + x.left, event_type::service_end, j, x.version);
  }

  void take_free_slot(std::uint32_t j, const sim_unit& unit) {
    for (std::uint32_t k = unit.slot_begin; k < unit.slot_begin + unit.servers; ++k) {
      if (slots_[k] == no_index) {
        slots_[k] = j;
        jobs_[j].slot = k;
        return;
      }
    }
  }

  /// Preemptive-resume: if some service in progress is of a lower priority than job j's,
  /// the lowest (latest started among equals) goes back to the head of its level with its
  /// remaining requirement, and j takes its server.
  bool preempt_for(std::uint32_t j, const sim_unit& unit) {
    const std::uint32_t level = model_.links[jobs_[j].service_link].level;
    std::uint32_t victim_slot = no_index, victim_level = level;
    double victim_start = -1;
    for (std::uint32_t k = unit.slot_begin; k < unit.slot_begin + unit.servers; ++k) {
      const job& v = jobs_[slots_[k]];
      const std::uint32_t l = model_.links[v.service_link].level;
      if (l > victim_level || (l == victim_level && victim_slot != no_index && v.started > victim_start)) {
        victim_slot = k;
        victim_level = l;
        victim_start = v.started;
      }
    }
    if (victim_slot == no_index) return false;
    const std::uint32_t v = slots_[victim_slot];
    job& victim = jobs_[v];
    victim.left = std::max(0.0, victim.left - (now_ - victim.started));
    ++victim.version;  // cancels its scheduled end
    victim.slot = no_index;
    const std::uint32_t q = unit.level_begin + victim_level;
    victim.next = head_[q];
    head_[q] = v;
    if (tail_[q] == no_index) tail_[q] = v;
    slots_[victim_slot] = j;
    jobs_[j].slot = victim_slot;
    start(j);
    return true;
  }

  /// Statistics of a completed service of job j at unit u.
  void record(std::uint32_t j, std::uint32_t u) {
    const job& x = jobs_[j];
    const double sojourn = now_ - x.requested;
    const double wait = std::max(0.0, sojourn - x.work);
    unit_state& s = units_[u];
    ++s.completed;
    s.sum_wait += wait;
    s.sum_sojourn += sojourn;
    link_state& ls = links_[x.service_link];
    ++ls.services;
    ls.sum_wait += wait;
    ls.sum_sojourn += sojourn;
    if (x.step == phase::first) ++ls.first;
    if (x.step == phase::redo) ++ls.redos;
    const std::size_t k = static_cast<std::size_t>(u) * model_.classes.size() + x.klass;
    ++unit_class_services_[k];
    if (x.waited_for && !unit_class_lead_.empty()) unit_class_lead_[k] += sojourn;
  }

  void finish_service(std::uint32_t j) {
    const std::uint32_t u = model_.links[jobs_[j].service_link].provider;
    const sim_unit& unit = model_.units[u];
    unit_state& s = units_[u];
    account(s);
    --s.in_unit;
    --s.busy;
    record(j, u);
    if (unit.policy == unit_policy::queue) {
      std::uint32_t slot = jobs_[j].slot;
      if (unit.preemptive) slots_[slot] = no_index;
      if (s.in_unit > s.busy && s.busy < s.servers) {  // someone waits: the first of the highest non-empty level
        for (std::uint32_t q = unit.level_begin;; ++q) {
          const std::uint32_t next = head_[q];
          if (next == no_index) continue;
          head_[q] = jobs_[next].next;
          if (head_[q] == no_index) tail_[q] = no_index;
          ++s.busy;
          if (unit.preemptive) {
            slots_[slot] = next;
            jobs_[next].slot = slot;
          }
          start(next);
          break;
        }
      }
    }
    after_service(j);
  }

  // ---- processor sharing: every service in hand progresses at rate min(1, c/n), so the
  // virtual time (work done on each) advances at that rate and a service of requirement x
  // requested at virtual time v is done when the virtual time reaches v + x.
  [[nodiscard]] double shared_rate(const sim_unit& unit, const unit_state& s) const noexcept {
    return s.in_unit <= unit.servers ? 1.0 : static_cast<double>(unit.servers) / s.in_unit;
  }

  void arrive_shared(std::uint32_t j, std::uint32_t u) {
    const sim_unit& unit = model_.units[u];
    unit_state& s = units_[u];
    if (s.in_unit > 0) s.virtual_time += (now_ - s.last_shared) * shared_rate(unit, s);
    s.last_shared = now_;
    if (s.in_unit >= unit.servers) ++s.delayed;
    jobs_[j].started = now_;
    jobs_[j].left = s.virtual_time + jobs_[j].work;
    auto& heap = shared_[u];
    heap.push_back({jobs_[j].left, j});
    std::push_heap(heap.begin(), heap.end(), later);
    ++s.in_unit;
    s.busy = std::min(s.in_unit, unit.servers);
    schedule_shared(u);
  }

  void schedule_shared(std::uint32_t u) {
    unit_state& s = units_[u];
    ++s.version;
    const auto& heap = shared_[u];
    if (heap.empty()) return;
    const double rest = std::max(0.0, heap.front().tag - s.virtual_time);
    calendar_.push(now_ + rest / shared_rate(model_.units[u], s), event_type::shared_end, u, s.version);
  }

  void finish_shared(std::uint32_t u) {
    const sim_unit& unit = model_.units[u];
    unit_state& s = units_[u];
    s.virtual_time += (now_ - s.last_shared) * shared_rate(unit, s);
    s.last_shared = now_;
    auto& heap = shared_[u];
    std::pop_heap(heap.begin(), heap.end(), later);
    const std::uint32_t j = heap.back().job;
    heap.pop_back();
    account(s);
    --s.in_unit;
    s.busy = std::min(s.in_unit, unit.servers);
    record(j, u);
    schedule_shared(u);
    after_service(j);
  }

  // ---- statistics
  void start_observing() {
    for (auto& s : units_) {
      account(s);
      s.area_in_unit = s.area_busy = 0;
      s.requested = s.delayed = s.completed = 0;
      s.sum_wait = s.sum_sojourn = 0;
    }
    for (auto& s : links_) s = link_state{};
    for (auto& s : classes_) {
      s.started = s.completed = 0;
      s.sum_lead = 0;
      s.lead_times.clear();
    }
    std::fill(unit_class_services_.begin(), unit_class_services_.end(), 0);
    std::fill(unit_class_lead_.begin(), unit_class_lead_.end(), 0.0);
  }

  /// The figures of the window just observed (`t` time units, `events` events).
  replication_result figures(std::uint64_t events, double t) {
    const std::size_t n = model_.units.size(), classes = model_.classes.size();
    replication_result r;
    r.events = events;
    r.units.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      unit_state& s = units_[i];
      account(s);
      const sim_unit& unit = model_.units[i];
      auto& f = r.units[i];
      if (unit.external) continue;
      f.load = static_cast<double>(s.completed) / t;
      f.busy_servers = s.area_busy / t;
      f.utilization = unit.policy == unit_policy::infinite ? 0.0 : f.busy_servers / unit.capacity;
      f.p_wait = s.requested > 0 ? static_cast<double>(s.delayed) / static_cast<double>(s.requested) : 0.0;
      f.wait = s.completed > 0 ? s.sum_wait / static_cast<double>(s.completed) : 0.0;
      f.sojourn = s.completed > 0 ? s.sum_sojourn / static_cast<double>(s.completed) : unit.service_time;
      f.number_in_unit = s.area_in_unit / t;
      f.queue_length = std::max(0.0, s.area_in_unit - s.area_busy) / t;
    }
    r.links.resize(model_.links.size());
    for (std::size_t l = 0; l < model_.links.size(); ++l) {
      const link_state& s = links_[l];
      auto& f = r.links[l];
      f.load = static_cast<double>(s.services) / t;
      f.flow = static_cast<double>(s.first) / t;
      f.rework_flow = static_cast<double>(s.redos) / t;
      const double count = static_cast<double>(s.services);
      f.wait = s.services > 0 ? s.sum_wait / count : 0.0;
      f.sojourn = s.services > 0 ? s.sum_sojourn / count : model_.links[l].service.mean();
    }
    r.customers.resize(classes);
    for (std::size_t c = 0; c < classes; ++c) {
      class_state& s = classes_[c];
      auto& f = r.customers[c];
      const double completed = static_cast<double>(s.completed);
      f.throughput = completed / t;
      f.lead_time = s.completed > 0 ? s.sum_lead / completed : 0.0;
      if (settings_.has_sla && s.completed > 0) {
        const auto above =
            std::count_if(s.lead_times.begin(), s.lead_times.end(), [&](double x) { return x > settings_.sla; });
        f.sla_share = static_cast<double>(above) / completed;
      }
      f.lead_time_percentiles.reserve(settings_.percentiles.size());
      for (const double p : settings_.percentiles)
        f.lead_time_percentiles.push_back(sample_quantile(s.lead_times, p / 100));
      const double started = static_cast<double>(s.started);
      double cost = 0;
      if (settings_.lead_time_by_unit) f.lead_time_by_unit.assign(n, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = i * classes + c;
        if (s.started == 0 || unit_class_services_[k] == 0) continue;
        const sim_unit& unit = model_.units[i];
        const double load = r.units[i].load;
        const double per_service = unit.cost_per_request + (load > 0 ? unit.cost_per_time / load : 0.0);
        cost += static_cast<double>(unit_class_services_[k]) / started * per_service;
        if (settings_.lead_time_by_unit) f.lead_time_by_unit[i] = unit_class_lead_[k] / started;
      }
      f.cost_to_serve = cost;
    }
    return r;
  }

  const sim_model& model_;
  const replication_settings& settings_;
  std::uint64_t index_;
  const bool keep_lead_times_ = !settings_.percentiles.empty() || settings_.has_sla;  // for quantiles
  double now_ = 0;
  event_calendar calendar_;
  std::vector<job> jobs_;
  std::uint32_t free_ = no_index;
  std::vector<std::uint32_t> pending_;  // async items not yet advanced
  std::vector<unit_state> units_;
  std::vector<link_state> links_;
  std::vector<class_state> classes_;
  std::vector<std::uint32_t> head_, tail_;          // FIFO per queue level
  std::vector<std::uint32_t> slots_;                // preemptive units: the job on each server
  std::vector<std::vector<shared_entry>> shared_;   // processor sharing: services in hand, by finish tag
  std::vector<std::uint64_t> unit_class_services_;  // [unit * classes + class]
  std::vector<double> unit_class_lead_;             // sojourns waited for, same layout
  std::vector<flow> flows_;
  std::uint32_t free_flow_ = no_index;
  std::vector<random_stream> arrival_streams_;  // per class: arrival or think times, and each request's flow seed
};

}  // namespace

std::vector<replication_result> run_replication(const sim_model& model, const replication_settings& settings,
                                                std::uint64_t replication,
                                                const std::function<void(double)>& progress) {
  engine e(model, settings, replication);
  return e.run(progress);
}

}  // namespace servicechain::detail
