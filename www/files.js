// What leaves the page: downloads (exports) and the share link.
const $ = (id) => document.getElementById(id);

/** Saves `blob` as a file called `name`. */
export function download(blob, name) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Copies the page's link (its hash holds every setting), or shows it when copying is refused. */
export async function shareLink() {
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    $('notice').textContent = 'Link copied: it opens this page with these settings.';
  } catch {
    $('notice').textContent = `Copy this link to share these settings: ${link}`;
  }
  $('notice').hidden = false;
}
