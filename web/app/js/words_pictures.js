// The console's words for its pictures (charts, chain graph, maps with outlines), the phone's
// camera and the offline action queue, in English and Chinese; i18n.js merges them into its
// catalogues.
export const EN_PICTURES = {
  'chart.nolib': 'The chart library (Apache ECharts) is not in this build; the figures are in the table.',
};

export const ZH_PICTURES = {
  'chart.nolib': '本版本未包含图表组件（Apache ECharts），数据见表格。',
};
