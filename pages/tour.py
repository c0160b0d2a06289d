"""Tour page: the tutorial's argument walked step by step, on the learner's own series and trained run."""

from dataclasses import replace

import streamlit as st

from lstmlab.safetext import md, md_text
from lstmlab.tour import step_titles, tour_step
from lstmlab.tour_text import LANGUAGES, STEP_KEYS, TEXTS
from pages.common import controls, state
from pages.common.tour import move, tour_context


def tour_page() -> None:
    ss = st.session_state
    st.title("Tour · 导览")
    # The widgets are forgotten when the learner leaves the page: the place and language are kept beside them.
    state.seed_widgets({"tour_lang": ss.get("tour_language", "en"), "tour_step": ss.get("tour_place", 0)})
    language = st.radio(TEXTS["en"]["language"], list(LANGUAGES), format_func=LANGUAGES.get, horizontal=True,
                        key="tour_lang")
    ss.tour_language, text = language, TEXTS[language]
    st.caption(text["intro"])
    context = tour_context()
    if context is None:
        return
    titles = step_titles(language)
    index = st.selectbox(text["picker"], range(len(STEP_KEYS)), format_func=titles.__getitem__, key="tour_step")
    ss.tour_place = index
    last = max(len(context.windows) - 1, 0)
    if context.run is not None:
        controls.forget_above("tour_sample", last)
        controls.forget_above("tour_t", context.config.window - 1)
        left, right = st.columns(2)
        sample = left.number_input(text["sample"].format(last=last), 0, last, 0, key="tour_sample")
        t = (right.slider(text["time_step"], 0, context.config.window - 1, context.config.window - 1, key="tour_t")
             if context.config.window > 1 else 0)
        context = replace(context, sample=int(sample), t=int(t))
        st.caption(text["on_run"].format(name=md(context.source_name), run=md_text(context.run.label), n=context.index,
                                         split=text["words"][context.split]))
    else:
        st.caption(text["on_data"].format(name=md(context.source_name)))
    step = tour_step(index, context, language)
    st.subheader(titles[index])
    st.markdown(step.body)
    for line in step.equations:
        st.latex(line)
    if step.table is not None:
        st.dataframe(step.table, hide_index=True, key="tour_table")
    if step.figure is not None:
        st.plotly_chart(step.figure, key="tour_figure", width="stretch")
    st.page_link(step.link, label=step.link_label, icon=":material/arrow_forward:")
    back, forward = st.columns(2)
    back.button(f"← {text['previous']}", key="tour_previous", on_click=move, args=(-1, len(STEP_KEYS)),
                disabled=index == 0, width="stretch")
    forward.button(f"{text['next']} →", key="tour_next", on_click=move, args=(1, len(STEP_KEYS)),
                   disabled=index == len(STEP_KEYS) - 1, width="stretch", type="primary")


tour_page()
