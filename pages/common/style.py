"""CSS the app injects once (app.py), for Streamlit widgets whose defaults trip people up."""

# Multi-select chips: the × is 7 px tall, and a press anywhere else in the field that is not a chip opens the
# list, so a click just beside the last chip's × opened the list instead of removing the chip. The × now
# covers the chip's right end at full height, and the last chip keeps some room before the text input.
STYLE = """<style>
.stMultiSelect [data-tag] > button {
  align-self: stretch; height: auto; min-width: 1.5rem; padding: 0 0.5rem; margin: 0 -0.5rem 0 -0.25rem;
  cursor: pointer;
}
.stMultiSelect [data-tag]:last-child { margin-right: 0.75rem; }
/* pages/common/warmup.py: the popover that draws the Windows page once, out of sight: its button takes no room and
   is never seen; its body, drawn only while the component holds it open, is laid out at full width, seen by nobody. */
.st-key-warmup { position: fixed; top: 0; left: 0; visibility: hidden; pointer-events: none; }
[data-testid="stPopoverBody"][aria-label="The Windows page, drawn once out of sight"] {
  position: fixed !important; top: 0 !important; left: 0 !important; width: 900px !important; visibility: hidden;
  pointer-events: none;
}
</style>"""
