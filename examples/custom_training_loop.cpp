// The shortest complete eta training program: copy it to start your own. Under mpirun -n N it
// trains data-parallel: each rank takes a slice of every batch of 128, gradients are summed.
#include <cstdio>

#include "eta/data/data_loader.h"
#include "eta/dist/context.h"
#include "eta/dist/ddp.h"
#include "eta/eta.h"
#include "eta/optim/adamw.h"
#include "eta/sched/cosine_annealing_lr.h"

int run(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  eta::manual_seed(0);
  const auto train_set = eta::data::load_mnist(dir, true), test_set = eta::data::load_mnist(dir, false);
  // Pixels in [0, 1], then standardised with the training set's own mean and std.
  const eta::data::TransformList normalize{eta::data::Normalize::fit(train_set)};
  eta::data::DataLoader train(train_set, {.batch_size = 128, .transforms = normalize, .rank = eta::dist::rank(),
                                          .world_size = eta::dist::world_size()});

  eta::nn::Sequential model{std::make_shared<eta::nn::Flatten>(), std::make_shared<eta::nn::Linear>(784, 128),
                            std::make_shared<eta::nn::ReLU>(), std::make_shared<eta::nn::Linear>(128, 10)};
  eta::optim::AdamW optimizer(model.parameters(), {.lr = 2e-3, .weight_decay = 1e-4});
  eta::dist::DistributedDataParallel replicas(model);  // rank 0's weights on every rank
  const int64_t epochs = 2;
  eta::sched::CosineAnnealingLR schedule(optimizer, epochs * train.num_batches());

  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    train.set_epoch(epoch);
    eta::data::Batch batch;
    while (train.next(batch)) {
      optimizer.zero_grad();
      eta::Tensor loss = eta::cross_entropy(model.forward(batch.input), batch.target);
      loss.backward();
      replicas.sync_gradients(batch.target.size(0));  // one process: nothing to do
      optimizer.step();
      schedule.step();
    }
    // Test accuracy: no autograd, one pass over the test set.
    eta::NoGradGuard no_grad;
    eta::data::DataLoader test(test_set, {.batch_size = 1000, .shuffle = false, .transforms = normalize});
    int64_t correct = 0;
    while (test.next(batch)) {
      const auto predicted = eta::argmax(model.forward(batch.input), 1).to_int_vector();
      const auto labels = batch.target.to_int_vector();
      for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
    }
    if (eta::dist::is_main()) std::printf("epoch %ld: test accuracy %.4f\n", static_cast<long>(epoch + 1),
                static_cast<double>(correct) / static_cast<double>(test_set.size()));
  }
  return 0;
}

int main(int argc, char** argv) {
  return eta::dist::run_main("custom_training_loop", &argc, &argv, [&] { return run(argc, argv); });
}
