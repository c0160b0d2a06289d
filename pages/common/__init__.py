"""What the pages share and are not pages: session state and caches, settings forms, the session's runs."""
