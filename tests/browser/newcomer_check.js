/* The newcomer's walk, run in the page (tests/browser/test_newcomer_walk.py): what a reader would
   find cut, unlabelled, pointing elsewhere or not answering a click as it says. Returns the
   findings and every absolute address of the page (links, forms, images, addresses shown). */
() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1) {
    found.push(`the page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  for (const e of document.body.querySelectorAll('*')) {
    if (e.closest('.visually-hidden, [hidden], dialog:not([open]), template, noscript')) continue;
    const style = getComputedStyle(e);
    // Form fields scroll their own text; a visually hidden header is 1px on purpose.
    if (style.display === 'none' || e.clientWidth <= 2 || e.clientHeight <= 2) continue;
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(e.tagName)) continue;
    const over = e.scrollWidth - e.clientWidth;
    if (over <= 1) continue;
    if (['hidden', 'clip'].includes(style.overflowX) && style.textOverflow !== 'ellipsis') {
      found.push(`${describe(e)} hides ${over}px of its content`);
    } else if (['auto', 'scroll'].includes(style.overflowX) && e.querySelector('table')) {
      const box = e.getBoundingClientRect();
      if (box.height > window.innerHeight) {
        found.push(`${describe(e)} scrolls ${over}px sideways with its scrollbar below the window`);
      }
    }
  }
  for (const cell of document.querySelectorAll('td')) {
    const style = getComputedStyle(cell);
    if (style.display !== 'block' || !cell.innerText.trim() || cell.closest('[hidden]')) continue;
    // A cell across the whole row is a message (暂无数据), not a column's value.
    const row = cell.closest('tr');
    if (cell.colSpan > 1 && cell.colSpan >= row.closest('table').querySelector('tr').cells.length) continue;
    if (!cell.hasAttribute('data-label')) {
      found.push(`a table cell without a label on a phone: “${cell.innerText.trim().slice(0, 30)}”`);
    }
  }
  // Shown: not display:none, not inside a closed <details> (content-visibility), not visibility:hidden.
  const visible = (e) => e.checkVisibility({visibilityProperty: true});
  // Every 更多 menu opens whole: no box that clips (a table's scrolling box) cuts its list.
  for (const menu of document.querySelectorAll('details.more')) {
    if (!visible(menu)) continue;
    const wasOpen = menu.open;
    menu.open = true;
    const list = menu.querySelector(':scope > :not(summary)');
    const box = list && list.getBoundingClientRect();
    for (let e = menu.parentElement; box && e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const clip = e.getBoundingClientRect();
      const cut = box.top < clip.top - 1 || box.bottom > clip.bottom + 1 ||
        box.left < clip.left - 1 || box.right > clip.right + 1;
      if (cut) {
        const name = menu.querySelector('summary').innerText.trim();
        found.push(`the menu “${name}” opens cut off by ${describe(e)}`);
        break;
      }
    }
    menu.open = wasOpen;
  }
  // A sticky action bar keeps its buttons on one row.
  for (const bar of document.querySelectorAll('.sticky-actions')) {
    const tops = new Set([...bar.querySelectorAll('button, a, summary')].filter(visible)
      .map((e) => Math.round(e.getBoundingClientRect().top)));
    if (tops.size > 1) found.push(`${describe(bar)} wraps to ${tops.size} rows`);
  }
  // A contract link reads on at most three lines.
  for (const cell of document.querySelectorAll('td.link-cell')) {
    const link = cell.querySelector('a');
    if (!link || !visible(link)) continue;
    const lines = link.getClientRects().length;
    if (lines > 3) found.push(`a contract link over ${lines} lines in ${describe(cell.closest('table'))}`);
  }
  // One console menu entry is the current page's.
  const current = [...document.querySelectorAll('.console-nav [aria-current="page"]')];
  if (current.length > 1) {
    const names = current.map((e) => e.innerText.trim()).join(', ');
    found.push(`${current.length} menu entries highlighted: ${names}`);
  }
  // A summary that says 展开 says 收起 once open.
  for (const details of document.querySelectorAll('details')) {
    const summary = details.querySelector(':scope > summary');
    if (!summary || !visible(summary) || details.open || summary.innerText.trim() !== '展开') continue;
    details.open = true;
    const said = summary.innerText.trim();
    details.open = false;
    if (said !== '收起') found.push(`“展开” reads “${said}” once open`);
  }
  // A dialog's title starts at its left edge, as in every dialog of the site.
  for (const dialog of document.querySelectorAll('dialog:not([open])')) {
    const title = dialog.querySelector('h1, h2, h3');
    if (!title) continue;
    // At its widest, as when its content has loaded: a title pushed right shows only then.
    dialog.showModal();
    const max = getComputedStyle(dialog).maxWidth;
    dialog.style.width = max === 'none' ? '480px' : max;
    const range = document.createRange();
    range.selectNodeContents(title);
    const text = range.getBoundingClientRect().left;
    const inner = dialog.getBoundingClientRect().left + dialog.clientLeft +
      parseFloat(getComputedStyle(dialog).paddingLeft);
    dialog.style.removeProperty('width');
    dialog.close();
    const off = Math.round(text - inner);
    if (off > 4) {
      found.push(`the title “${title.innerText.trim()}” of ${describe(dialog)} starts ${off}px from its left edge`);
    }
  }
  const links = [...document.querySelectorAll('a[href], link[href], form[action], img[src]')]
    .map((e) => e.getAttribute('href') || e.getAttribute('action') || e.getAttribute('src'));
  const shown = (document.body.innerText.match(/https?:\/\/[^\s"'<>，。）]+/g) || []);
  return {found, addresses: [...links, ...shown].filter((a) => /^https?:\/\//.test(a))};
}
