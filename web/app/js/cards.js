// On a phone a table of tickets is drawn as a list of cards (app.css, under 700px): each cell
// then needs its column's name beside it. This copies every header cell's text onto the
// body cells of its column (data-label), for each `table.queue` a view draws, whatever its
// columns; the CSS shows the label only in the card layout.
function label(table) {
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, i) => {
      const text = heads[i] || '';
      if (cell.getAttribute('data-label') !== text) cell.setAttribute('data-label', text);
    });
  }
}

const main = document.getElementById('main');
if (main) {
  new MutationObserver(() => main.querySelectorAll('table.queue').forEach(label)).observe(main, { childList: true, subtree: true });
}
