// Loading data: SPEC.md's MNIST facts on the page, the dataset in the URL, and damaged shards.
import { check, waitForState } from './harness.mjs';

// SPEC.md's MNIST facts, and Fashion-MNIST's published balance (6,000 train, 1,000 test per class).
const MNIST_TRAIN = '5923 6742 5958 6131 5842 5421 5918 6265 5851 5949';
const MNIST_TEST = '980 1135 1032 1010 982 892 958 1028 974 1009';

const tableRow = (page, split) => page.$$eval('#data-table tbody tr', (rows, split) =>
  rows.map((r) => Array.from(r.children, (c) => c.textContent)).find((cells) => cells[0] === split), split);

export async function dataScenarios({ openPage }) {
  {
    const { page, problems, close } = await openPage();
    await page.waitForSelector('body[data-data-loaded="mnist"]', { timeout: 120_000 });
    await waitForState(page, 'idle');
    const train = await tableRow(page, 'train');
    const test = await tableRow(page, 'test');
    check('MNIST train split: 60000 images with SPEC.md label counts', train[1] === '60000' && train[2] === MNIST_TRAIN, train.join(' | '));
    check('MNIST test split: 10000 images with SPEC.md label counts', test[1] === '10000' && test[2] === MNIST_TEST, test.join(' | '));
    check('MNIST train pixel mean 0.1307 and std 0.3081', train[3] === '0.1307' && train[4] === '0.3081', `${train[3]} ${train[4]}`);
    console.log(`     ${await page.textContent('#status')}`);
    check('the page shows no error', await page.isHidden('#error'), await page.textContent('#error'));
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
    const expected = { dataset: 'mnist', model: 'autoencoder', latent: '20', hidden: '32', biases: '0', epochs: '10', batch: '1000', lr: '0.001', seed: '42',
      workers: '2', subset: '60000', 'fisher-variant': 'regression', 'fisher-split': 'train', grid: 'log', 'random-seeds': '3',
      eval: '10000', 'hist-scale': 'log', 'fine-tune-epochs': '1', 'fine-tune-at': '0.6,0.75,0.9',
      'soft-alpha': 'init', 'soft-samples': '16', lambda: 'knee', evidence: 'all', view: 'bench', embed: '0', parent: '', tour: '0', autorun: '0', pretrained: '0' };
    check('the URL spells out every setting, with the paper\'s defaults',
      Object.entries(expected).every(([k, v]) => hash.get(k) === v) && [...hash.keys()].length === Object.keys(expected).length, page.url());
    const duplicates = await page.$$eval('[id]', (elements) => {
      const seen = new Set();
      return elements.map((e) => e.id).filter((id) => seen.has(id) || !seen.add(id));
    });
    check('every id in the page is unique', duplicates.length === 0, duplicates.join(', '));
    check('no failed requests', problems.failed.length === 0, problems.failed.join(', '));
    check('no console errors', problems.console.length === 0, problems.console.join(' | '));
    await close();
  }
  {
    const { page, close } = await openPage('#dataset=fashion-mnist');
    await page.waitForSelector('body[data-data-loaded="fashion-mnist"]', { timeout: 120_000 });
    const train = await tableRow(page, 'train');
    check('the URL selects Fashion-MNIST: 6000 training images per class',
      train[1] === '60000' && train[2] === Array(10).fill('6000').join(' '), train.join(' | '));
    check('the dataset control shows the URL state', await page.inputValue('#dataset') === 'fashion-mnist');
    await close();
  }
  {
    const { page, close } = await openPage('#dataset=cifar&bogus=1');
    await page.waitForSelector('body[data-data-loaded="mnist"]', { timeout: 120_000 });
    const inline = await page.textContent('#dataset-problem');
    check('an unknown dataset in the URL is named next to its control, with the default used',
      await page.isVisible('#dataset-problem') && inline.includes('"cifar"') && inline.includes('mnist'), inline);
    const notice = await page.textContent('#notice');
    check('an unknown URL parameter is named in a notice', notice.includes('"bogus"'), notice);
    await close();
  }
  {
    const { page, close } = await openPage('', (p) => p.route('**/train-03.v1.shard', async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      await route.fulfill({ response, body: body.subarray(0, 1000) });
    }));
    await page.waitForSelector('#error:not([hidden])', { timeout: 120_000 });
    const error = await page.textContent('#error');
    check('a truncated shard gives an error naming the shard and the offset',
      error.includes('train-03.v1.shard') && /truncated/.test(error) && /offset 1000/.test(error), error);
    check('a failed load leaves the page in the error state', await page.getAttribute('body', 'data-state') === 'error');
    check('no data is shown after a failed load', await page.isHidden('#data-summary'));
    await close();
  }
  {
    const { page, close } = await openPage('', (p) => p.route('**/test-01.v1.shard', (route) => route.fulfill({ status: 404, body: '' })));
    await page.waitForSelector('#error:not([hidden])', { timeout: 120_000 });
    const error = await page.textContent('#error');
    check('a missing shard gives an error naming the file and HTTP status',
      error.includes('data/mnist/test-01.v1.shard') && error.includes('404'), error);
    await close();
  }
}
