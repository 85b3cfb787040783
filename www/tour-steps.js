// The guided tour of the paper (#tour=k opens step k): one table, as state.js is for parameters.
// Each step names the part of the page it talks about (`target`, a selector, in `view`'s tab),
// what it does to the page when it opens (`act`, one of tour.js's ACTS), and a short text that
// cites the paper: D. S. Berman, M. S. Klinger, A. G. Stapleton, "Bayesian renormalization",
// Mach. Learn.: Sci. Technol. 4 (2023) 045011 (arXiv:2305.10491).

export const TOUR_STEPS = [
  {
    title: 'The claim',
    target: '#side header',
    view: 'bench',
    act: null,
    text: 'The Fisher metric gives a network an emergent energy scale. A weight with a small diagonal ' +
      'Fisher value is sloppy: the data barely pins it down. Removing the sloppiest weights first, shell ' +
      'by shell, is the analogue of Wilson\'s renormalization integrating out high momenta (section 4): ' +
      'the model barely changes until the cutoff Λ reaches its information scale Λ*.',
  },
  {
    title: 'Training',
    target: '#training-panel',
    view: 'bench',
    act: 'train-if-untrained',
    text: 'The paper\'s model is an autoencoder 784 → 20 → 784 with ReLU (eq. 51-53), trained on MNIST by ' +
      'mean squared error with Adam, 10 epochs of batches of 1,000. If nothing is trained yet, this step ' +
      'presses Train: the loss falls to about 0.026 per pixel.',
  },
  {
    title: 'The Fisher spectrum',
    target: '#fisher-hist',
    view: 'bench',
    act: 'await-analysis',
    text: 'Each encoder weight\'s diagonal Fisher value F (section 4.2) says how much the output moves when ' +
      'the weight moves. The paper bins them in 22 linear bins (figure 5): nearly all fall in the first bar, ' +
      'which looks like a gap between sloppy and stiff weights. On the log axis shown here it is a ' +
      'continuum over many decades; about a fifth are exactly 0 (pixels black in every image).',
  },
  {
    title: 'Drag Λ to the knee Λ*',
    target: '#slider-bar',
    view: 'bench',
    act: 'knee',
    text: 'The cutoff Λ removes every weight with F ≤ Λ (eq. 55). The slider now sits at the knee Λ*, the largest ' +
      'cutoff whose test loss stays within 1 % of the unpruned model\'s: on the paper\'s model about 59.5 % ' +
      'of the encoder is gone. Drag it left and right; the line under it says what each position costs.',
  },
  {
    title: 'Fisher against random and magnitude',
    target: '#hockey-stick',
    view: 'bench',
    act: 'knee',
    text: 'The hockey stick (figure 2): test loss against the number of weights removed, every order at the ' +
      'same count. Fisher\'s line stays flat to the knee, then rises steeply. Random pruning rises at once; ' +
      'removing the smallest weights (magnitude) holds longer, but not as long as the Fisher order.',
  },
  {
    title: 'The reconstructions',
    target: '#recon-view',
    view: 'bench',
    act: 'knee',
    text: 'Ten test digits, and what each pruned model makes of them at this cutoff (figures 3 and 4). At Λ* ' +
      'the Fisher-pruned digits look like the unpruned ones; the randomly pruned ones have blurred. Press ' +
      '"Everything removed" to see the Fisher order fail too.',
  },
  {
    title: 'Beyond the paper: the eigen-shells',
    target: '#eigen-heading',
    view: 'studies',
    act: null,
    text: 'The paper prunes coordinates, though it calls the Fisher\'s eigenvalues the proxy for relevance ' +
      '(section 4.2). "Compute the eigen-shells" diagonalises each encoder row\'s Fisher block and removes ' +
      'directions instead of weights: on the paper\'s model the loss stays flat to about 93 % of them.',
  },
  {
    title: 'Beyond the paper: the soft flow',
    target: '#soft-flow-heading',
    view: 'studies',
    act: null,
    text: 'Instead of removing shells outright, integrate evidence out (eq. 38-39): with n examples kept each ' +
      'weight\'s posterior is Normal(E*, 1/(n·F + α)). "Run the soft flow", then drag n down: single draws ' +
      'blur first, their mean later, and the sloppy weights wash out first. That ends the tour.',
  },
];
