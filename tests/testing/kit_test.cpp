// SPDX-License-Identifier: Apache-2.0
// The conformance kit finds what a port gets wrong: stores and directories broken on purpose
// (each around a MemoryCrmStore or a MemoryDirectory) fail exactly the rules they break.
#include <telcrm/memory/memory_crm_store.hpp>
#include <telcrm/memory/memory_directory.hpp>
#include <telcrm/ports/linked_batches.hpp>
#include <telcrm/testing/conformance.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace telcrm;

namespace {

// Forwards everything to a MemoryCrmStore; each subclass breaks one rule.
class Forward : public CrmStore {
 public:
  Result<void> scan(CrmVisitor& v) const override { return inner_.scan(v); }
  Result<std::optional<Contact>> find_contact(EntityId id) const override {
    return inner_.find_contact(id);
  }
  Result<std::optional<Company>> find_company(EntityId id) const override {
    return inner_.find_company(id);
  }
  Result<std::optional<Lead>> find_lead(EntityId id) const override { return inner_.find_lead(id); }
  Result<std::optional<Deal>> find_deal(EntityId id) const override { return inner_.find_deal(id); }
  Result<WriteReceipt> apply(const WriteBatch& batch) override { return inner_.apply(batch); }
  const CrmInspection* inspection() const noexcept override { return inner_.inspection(); }

 protected:
  MemoryCrmStore inner_;
};

// Forgets that it applied a batch: applies it again.
class NoReplay final : public Forward {
 public:
  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    WriteBatch fresh = batch;
    fresh.call += "#" + std::to_string(++n_);
    auto r = inner_.apply(fresh);
    if (r && r->claimed_by) r->claimed_by->erase(r->claimed_by->find('#'));
    return r;
  }

 private:
  int n_ = 0;
};

// Ignores claims.
class NoClaims final : public Forward {
 public:
  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    WriteBatch unclaimed = batch;
    unclaimed.claim.reset();
    return inner_.apply(unclaimed);
  }
};

// Applies each operation on its own: a failing operation leaves the ones before it.
class Piecemeal final : public Forward {
 public:
  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    bool named = false;  // local references need the whole batch
    for (const auto& op : batch.ops)
      for_each_reference(op, [&](EntityType, const std::optional<EntityId>& id) {
        named = named || (id && *id < 0);
      });
    if (named || batch.claim) return inner_.apply(batch);
    WriteReceipt all;
    for (std::size_t i = 0; i < batch.ops.size(); ++i) {
      WriteBatch one = batch;
      one.seq = batch.seq * 100 + static_cast<std::uint32_t>(i);
      one.ops = {batch.ops[i]};
      auto r = inner_.apply(one);
      if (!r) return r;
      all.created.insert(all.created.end(), r->created.begin(), r->created.end());
    }
    return all;
  }
};

// Groups badly: apply_all() stops after the first failure.
class ShortGroups final : public Forward {
 public:
  std::vector<Result<WriteReceipt>> apply_all(std::span<const WriteBatch> batches) override {
    std::vector<Result<WriteReceipt>> out;
    for (const auto& b : batches) {
      out.push_back(apply(b));
      if (!out.back()) break;
    }
    return out;
  }
};

// Takes a batch given to apply_consuming() whatever comes of it: a refused batch is not left
// as given (the engine would retry an empty batch).
class ConsumesRefused final : public Forward {
 public:
  Result<WriteReceipt> apply_consuming(WriteBatch& batch) override {
    const WriteBatch taken = std::move(batch);
    batch = WriteBatch{};
    return inner_.apply(taken);
  }
};

// Resolves group references (the memory store's apply_linked()), but its consuming variant
// empties every batch of the group, also those it did not apply.
class ConsumesWholeGroups final : public Forward {
 public:
  std::vector<Result<WriteReceipt>> apply_linked(std::span<const WriteBatch> batches) override {
    return inner_.apply_linked(batches);
  }
  std::vector<Result<WriteReceipt>> apply_linked_consuming(std::span<WriteBatch> batches) override {
    auto out = inner_.apply_linked(batches);
    for (auto& b : batches) b.ops.clear();
    return out;
  }
  bool resolves_group_references() const noexcept override { return true; }
};

// Says it resolves references between a group's batches, yet ends every group before the first
// batch that refers to an earlier one (CrmStore's default apply_linked()).
class SaysItLinks final : public Forward {
 public:
  bool resolves_group_references() const noexcept override { return true; }
};

// Resolves references between a group's batches with LinkedBatches, but ends groups too late:
// `Stops::never` goes on past a batch that refers to a record never created (the reference
// reaches the store as it is, and that batch is refused); `Stops::at_lost_claims` forgets that
// a refused batch or a replay created nothing, so what refers to them reaches it unresolved.
enum class Stops { never, at_lost_claims };
template <Stops stops>
class LinksCarelessly final : public Forward {
 public:
  bool resolves_group_references() const noexcept override { return true; }
  std::vector<Result<WriteReceipt>> apply_linked(std::span<const WriteBatch> batches) override {
    std::vector<Result<WriteReceipt>> out;
    LinkedBatches linked;
    for (const auto& b : batches) {
      const WriteBatch* ready = linked.prepare(b);
      if (!ready && stops == Stops::at_lost_claims) break;
      out.push_back(apply(ready ? *ready : b));
      const auto& r = out.back();
      if (stops == Stops::never || (r && (r->claimed_by || !r->replayed))) linked.applied(b, r);
    }
    return out;
  }
};

// Takes a receipt's n-th record for the batch's n-th *named* create (an unnamed one before
// shifts every name onto the wrong record).
class NamesOnly final : public Forward {
 public:
  bool resolves_group_references() const noexcept override { return true; }
  std::vector<Result<WriteReceipt>> apply_linked(std::span<const WriteBatch> batches) override {
    std::vector<Result<WriteReceipt>> out;
    std::vector<std::pair<EntityRef, EntityId>> made;
    for (const auto& b : batches) {
      WriteBatch copy = b;
      for (auto& op : copy.ops)
        for_each_reference(op, [&](EntityType type, std::optional<EntityId>& id) {
          for (const auto& [ref, real] : made)
            if (id && ref == EntityRef{type, *id}) id = real;
        });
      out.push_back(apply(copy));
      const auto& r = out.back();
      if (!r || r->claimed_by || r->replayed) break;
      std::size_t k = 0;
      for (const auto& op : b.ops)
        if (auto m = created_by(op); m && m->id < 0 && k < r->created.size())
          made.emplace_back(*m, r->created[k++].id);
    }
    return out;
  }
};

// Keeps every receipt and claim forever, and says how many: for "retention.prunes".
class Hoarder final : public Forward {
 public:
  Result<WriteReceipt> apply(const WriteBatch& batch) override {
    ++kept_;
    if (batch.claim) ++kept_;
    return inner_.apply(batch);
  }
  [[nodiscard]] std::size_t kept() const { return kept_; }

 private:
  std::size_t kept_ = 0;
};

// Lists employees newest first, and never moves its version.
class Careless final : public Directory {
 public:
  explicit Careless(MemoryDirectory& inner) : inner_(inner) {}
  Result<std::vector<Employee>> employees() const override {
    auto all = inner_.employees();
    if (all) std::reverse(all->begin(), all->end());
    return all;
  }
  Result<std::optional<Employee>> find_employee(EmployeeId id) const override {
    return inner_.find_employee(id);
  }
  Result<std::uint64_t> version() const override { return std::uint64_t{5}; }

 private:
  MemoryDirectory& inner_;
};

template <class Store>
std::vector<std::string> broken(const ConformanceOptions& options = {}) {
  std::vector<std::string> rules;
  for (const auto& f : check_crm_store([] { return std::make_unique<Store>(); }, options)) {
    CHECK_FALSE(f.expected.empty());
    if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) rules.push_back(f.rule);
  }
  return rules;
}

bool has(const std::vector<std::string>& rules, const std::string& rule) {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

}  // namespace

TEST_CASE("R-I1 the kit finds a store that applies a repeated batch again") {
  const auto rules = broken<NoReplay>();
  CHECK(has(rules, "R-I1 replay"));
  CHECK(has(rules, "R-I1 many calls"));
  CHECK(has(rules, "R-I2 repeat of a lost batch"));
  CHECK(has(rules, "retention.replay-within"));
  CHECK_FALSE(has(rules, "refs.local"));
}

TEST_CASE("R-I2 the kit finds a store that ignores claims, also under concurrency") {
  const auto rules = broken<NoClaims>();
  CHECK(has(rules, "R-I2 claim window"));
  CHECK(has(rules, "R-I2 loser binds to the winner"));
  CHECK(has(rules, "R-I2 concurrent"));
  CHECK_FALSE(has(rules, "R-I2 outside the window"));
  CHECK_FALSE(has(rules, "R-I1 replay"));
}

TEST_CASE("The kit finds a store whose batches are not all-or-nothing") {
  CHECK(has(broken<Piecemeal>(), "apply.all-or-nothing"));
}

TEST_CASE("The kit finds an apply_all() that does not answer every batch") {
  CHECK(broken<ShortGroups>() == std::vector<std::string>{"apply_all.equals-one-by-one"});
}

TEST_CASE("The kit finds a consuming apply that does not leave what it refuses as given") {
  CHECK(broken<ConsumesRefused>() == std::vector<std::string>{"apply_consuming.as-apply"});
  CHECK(broken<ConsumesWholeGroups>() ==
        std::vector<std::string>{"apply_linked_consuming.as-apply-linked"});
}

TEST_CASE("The kit finds a store that says it resolves group references but does not") {
  CHECK(broken<SaysItLinks>() == std::vector<std::string>{"apply_linked.resolves-earlier"});
  CHECK(broken<LinksCarelessly<Stops::never>>() ==
        std::vector<std::string>{"apply_linked.resolves-earlier"});
  CHECK(broken<LinksCarelessly<Stops::at_lost_claims>>() ==
        std::vector<std::string>{"apply_linked.resolves-earlier"});
  CHECK(broken<NamesOnly>() == std::vector<std::string>{"apply_linked.resolves-earlier"});
}

TEST_CASE("The kit finds a store that never prunes, by its probe or by a very old batch") {
  ConformanceOptions options;
  options.retention = Seconds(3600);
  CHECK(broken<Hoarder>(options) == std::vector<std::string>{"retention.prunes"});
  options.remembered = [](const CrmStore& s) -> std::optional<std::size_t> {
    return dynamic_cast<const Hoarder&>(s).kept();
  };
  CHECK(broken<Hoarder>(options) == std::vector<std::string>{"retention.prunes"});
}

TEST_CASE("A failure reads as one line naming the rule, what was expected and what was seen") {
  const ConformanceFailure f{"R-I2 claim window", "a lost claim", "a won claim"};
  CHECK(to_string(f) == "R-I2 claim window: expected a lost claim; seen a won claim");
  CHECK(fmt::format("{}", f) == to_string(f));
}

TEST_CASE("The kit finds a directory out of order whose version never moves") {
  MemoryDirectory inner({Employee{.id = 1, .name = "Anna"}, Employee{.id = 2, .name = "Boris"}});
  Careless careless(inner);
  auto change = [&]() -> Result<void> {
    inner.set_presence(2, Presence::offline);
    return {};
  };
  std::vector<std::string> rules;
  for (const auto& f : check_directory(careless, change)) rules.push_back(f.rule);
  CHECK(std::count(rules.begin(), rules.end(), "directory.ordered") == 2);  // before and after
  CHECK(std::count(rules.begin(), rules.end(), "directory.version-moves") == 1);
  auto refused = [&]() -> Result<void> { return fail(Errc::io_error, "the staff table is gone"); };
  auto r = check_directory(inner, refused);
  REQUIRE(r.size() == 1);
  CHECK(r[0].rule == "directory.change");
}
