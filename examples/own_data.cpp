// Your own data in 30 lines: tensors you computed -> TensorDataset -> seeded train/validation
// split -> Standardize fitted on the training part -> DataLoader -> an MLP regression; data-parallel
// under mpirun -n N (each rank a slice of every batch of 32; rank 0 prints).
#include <cstdio>

#include "eta/dist/context.h"
#include "eta/dist/ddp.h"
#include "eta/eta.h"
#include "eta/optim/adam.h"

int run() {
  using namespace eta;
  manual_seed(0);
  const Tensor x = rand({2000, 3}, kFloat32);                          // 2,000 examples, 3 features
  const Tensor y = add(mul(x.select(1, 0), x.select(1, 1)), exp(neg(x.select(1, 2)))).reshape({2000, 1});
  const auto all = std::make_shared<data::TensorDataset>(x, y);      // target [1] per example
  const auto parts = data::random_split(all, std::vector<double>{0.8, 0.2}, /*seed=*/1);
  const data::TransformList standardize{data::Standardize::fit(*parts[0])};
  data::DataLoader train(*parts[0], {.batch_size = 32, .transforms = standardize, .rank = dist::rank(),
                                     .world_size = dist::world_size(), .num_workers = 1});
  data::DataLoader valid(*parts[1], {.batch_size = 400, .shuffle = false, .transforms = standardize});

  nn::Sequential model{std::make_shared<nn::Linear>(3, 64), std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(64, 1)};
  optim::Adam optimizer(model.parameters(), {.lr = 3e-3});
  dist::DistributedDataParallel replicas(model);  // rank 0's weights everywhere; one process: no-op
  for (int64_t epoch = 0; epoch < 30; ++epoch) {
    train.set_epoch(epoch);
    for (data::Batch b; train.next(b);) {
      optimizer.zero_grad();
      mse_loss(model.forward(b.input), b.target).backward();
      replicas.sync_gradients(b.target.size(0));  // the global batch's mean gradient
      optimizer.step();
    }
  }
  NoGradGuard no_grad;
  data::Batch v;
  valid.next(v);
  if (dist::is_main())
    std::printf("validation MSE %.5f on %ld examples\n", mse_loss(model.forward(v.input), v.target).item(),
                static_cast<long>(v.target.size(0)));
  return 0;
}

int main(int argc, char** argv) { return eta::dist::run_main("own_data", &argc, &argv, run); }
