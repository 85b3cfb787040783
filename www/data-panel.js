// The data panel: what was downloaded, and the split statistics the worker computed (SPEC.md's
// facts to check a loader against: counts per label, pixel mean and std).
const $ = (id) => document.getElementById(id);

export function clearData() {
  $('data-summary').hidden = true;
  $('data-status').textContent = '';
  delete document.body.dataset.dataLoaded;
}

export function showDataStatus(text) {
  $('data-status').textContent = text;
}

export function showSummary(summary) {
  const rows = ['train', 'test'].map((split) => {
    const s = summary[split];
    return `<tr><th scope="row">${split}</th><td>${s.count}</td><td>${s.label_counts.join(' ')}</td>` +
      `<td>${s.pixel_mean.toFixed(4)}</td><td>${s.pixel_std.toFixed(4)}</td></tr>`;
  });
  $('data-table').tBodies[0].innerHTML = rows.join('');
  $('data-credit').textContent = `${summary.name}: ${summary.credit}, licence ${summary.licence}.`;
  $('data-summary').hidden = false;
  document.body.dataset.dataLoaded = summary.dataset;
}
