// The smallest tour of eta: tensors, broadcasting, a matrix product and reverse-mode autodiff.
#include <iostream>

#include "eta/eta.h"

int main() {
  eta::manual_seed(0);
  eta::Tensor w = eta::randn({3, 2}).requires_grad_();  // a parameter
  eta::Tensor b = eta::zeros({2}).requires_grad_();
  eta::Tensor x = eta::arange(6).reshape({2, 3});        // a batch of two inputs
  eta::Tensor y = eta::relu(eta::matmul(x, w) + b);     // (2,3) @ (3,2) + (2) broadcast
  eta::Tensor loss = (y * y).mean();
  loss.backward();
  std::cout << "y = " << y << "\nloss = " << loss.item() << "\ndloss/dw = " << w.grad() << "\ndloss/db = " << b.grad()
            << "\n";
  return 0;
}
