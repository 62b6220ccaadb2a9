/**
 * @module ab/report/ab-report-script
 * The A/B report page's only script: the category filter. It shows the
 * prompts of the chosen category and says how many are shown.
 */
export const abReportScript = `
(() => {
  const select = document.getElementById("category-filter");
  const count = document.getElementById("filter-count");
  const prompts = Array.from(document.querySelectorAll("article.prompt"));
  const apply = () => {
    const value = select.value;
    let shown = 0;
    for (const prompt of prompts) {
      const visible = value === "" || prompt.dataset.category === value;
      prompt.hidden = !visible;
      if (visible) shown += 1;
    }
    count.textContent = shown + " of " + prompts.length + " prompts";
  };
  select.addEventListener("change", apply);
  apply();
})();
`;
