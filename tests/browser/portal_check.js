// What a public-sector portal expects of every page beyond the two checkers (see checkers.py).
// Called by Playwright's page.evaluate with the site's name; returns [{rule, element, message}].
(site) => {
  const problems = [];
  const add = (rule, element, message) => problems.push({rule, element, message});
  const lang = document.documentElement.getAttribute("lang") || "";
  if (!/^zh(-|$)/i.test(lang)) add("document-language", `<html lang="${lang}">`, "The page's language must be Chinese (zh-Hans or zh-CN).");
  const mains = document.querySelectorAll("main, [role=main]");
  if (mains.length !== 1) add("one-main", `${mains.length} main elements`, "A page has exactly one main landmark.");
  const skip = document.querySelector("a.skip-link");
  const target = skip && document.getElementById((skip.getAttribute("href") || "").slice(1));
  if (!skip || !target || !target.matches("main, [role=main]")) add("skip-link", skip ? skip.outerHTML : "(none)", "A skip link leads to the main landmark.");
  if (!document.querySelector("header, [role=banner]")) add("banner", "(none)", "The site header is a banner landmark.");
  if (!document.querySelector("footer, [role=contentinfo]")) add("contentinfo", "(none)", "The site footer is a contentinfo landmark.");
  const title = document.title.trim();
  const parts = title.split(" · ");
  if (parts.length < 2 || parts[parts.length - 1] !== site || !parts[0].trim()) add("page-title", `<title>${title}</title>`, `The title names the page, then the site (… · ${site}).`);
  const h1 = document.querySelectorAll("h1");
  if (h1.length !== 1) add("one-h1", `${h1.length} h1 elements`, "A page has one level-1 heading.");
  for (const table of document.querySelectorAll("table")) {
    const html = table.outerHTML.slice(0, 120);
    const named = (table.caption && table.caption.textContent.trim()) || table.getAttribute("aria-label") || table.getAttribute("aria-labelledby");
    if (!named) add("table-caption", html, "A table has a caption (it may be visually hidden).");
    if (!table.querySelector("th")) add("table-headers", html, "A table has header cells.");
  }
  // An error or a hint tied to a field (aria-describedby) must exist, or a screen reader reads nothing.
  for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby]")) {
    for (const attr of ["aria-describedby", "aria-labelledby"]) {
      for (const id of (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) add("idref", el.outerHTML.slice(0, 160), `${attr} names “${id}”, which is not on the page.`);
      }
    }
  }
  return problems;
}
