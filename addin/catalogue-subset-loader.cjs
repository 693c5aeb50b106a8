// A webpack loader for the interface catalogues in the Outlook panes: English ships in their first
// bundle, so the groups of keys only the web page and Thunderbird use are left out (keeping the
// few the panes share), and each other language's chunk is as small.
module.exports = function catalogueSubset(source) {
  const { leaveOut, keep } = this.getOptions();
  const wanted = (key) => keep.includes(key) || !leaveOut.includes(key.split('.')[0]);
  return JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(source)).filter(([key]) => wanted(key))));
};
