// The optimizer registry: the built-in optimizers plus any registered by the user.
#include "eta/optim/registry.h"

#include "eta/error.h"
#include "eta/optim/adadelta.h"
#include "eta/optim/adagrad.h"
#include "eta/optim/adam.h"
#include "eta/optim/adamax.h"
#include "eta/optim/adamw.h"
#include "eta/optim/lion.h"
#include "eta/optim/adam_hd.h"
#include "eta/optim/sgd_hd.h"
#include "eta/optim/nadam.h"
#include "eta/optim/radam.h"
#include "eta/optim/rmsprop.h"
#include "eta/optim/sgd.h"
#include "eta/util/parse.h"
#include "util/named_registry.h"

namespace eta::optim {

namespace {

// The built-in optimizers, one line each, registered on first use.
util::NamedRegistry<OptimizerSpec>& registry() {
  static util::NamedRegistry<OptimizerSpec> r("optimizer", {
      SGD::spec(),
      Adam::spec(),
      AdamW::spec(),
      RMSprop::spec(),
      Adagrad::spec(),
      Adadelta::spec(),
      Adamax::spec(),
      NAdam::spec(),
      RAdam::spec(),
      Lion::spec(),
      SGDHD::spec(),
      AdamHD::spec(),
  });
  return r;
}

}  // namespace

void register_optimizer(OptimizerSpec spec) { registry().add(std::move(spec)); }

std::vector<std::string> optimizer_names() { return registry().names(); }

OptimizerSpec optimizer_spec(const std::string& name) { return registry().find(name); }

std::vector<std::string> optimizer_flags(const std::string& name) {
  const OptimizerSpec f = registry().find(name);
  std::vector<std::string> flags;
  for (const auto& p : f.params)
    if (p.name != "beta2") flags.push_back(p.name == "beta1" ? "betas" : p.name);
  return flags;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, const Flags& flags) {
  const OptimizerSpec f = registry().find(name);
  const Options defaults = f.defaults();
  ParamGroup group;
  group.params = std::move(params);
  for (const auto& [flag, text] : flags) {
    const std::string where = f.name + ": --" + flag;
    if (flag == "betas" && defaults.count("beta1")) {
      const auto betas = util::parse_double_list(where, text);
      ETA_CHECK(betas.size() == 2, where, ": expected two comma-separated numbers, got '", text, "'");
      group.options["beta1"] = betas[0];
      group.options["beta2"] = betas[1];
    } else if (defaults.count(flag) && flag != "beta1" && flag != "beta2") {
      double v;
      if (text == "true" || text == "false") v = util::parse_bool(where, text) ? 1 : 0;
      else v = util::parse_double(where, text);
      group.options[flag] = v;
    } else {
      detail::throw_error(f.name, ": unknown flag --", flag, " (valid: ", util::join(optimizer_flags(name)), ")");
    }
  }
  const Options overrides = group.options;
  std::vector<ParamGroup> groups;
  groups.push_back(std::move(group));
  auto opt = f.make(std::move(groups));
  // The flags are the constructor's arguments, so groups added later inherit them, as in PyTorch.
  for (const auto& [k, v] : overrides) opt->defaults()[k] = v;
  return opt;
}

}  // namespace eta::optim
