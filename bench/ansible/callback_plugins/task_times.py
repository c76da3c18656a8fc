# Records how long each task of the play took (first start to last host done), one JSON line per
# task, to the file in $BENCH_TASK_TIMES. bench/provision.bench.ts prints their medians beside our
# per-step times, so the comparison shows where each tool spends its time. ansible-core ships no
# timing callback (profile_tasks is in the ansible.posix collection), hence this one.
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: task_times
    type: aggregate
    short_description: task durations as JSON lines for the provisioning benchmark
    requirements:
      - enabled in callbacks_enabled, and BENCH_TASK_TIMES set to a file path
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_times'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get('BENCH_TASK_TIMES')
        self._name = None
        self._start = None

    def _flush(self):
        if self._path and self._name is not None:
            with open(self._path, 'a', encoding='utf-8') as f:
                f.write(json.dumps({'task': self._name, 'seconds': time.monotonic() - self._start}) + '\n')
        self._name = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._flush()
        self._name = task.get_name()
        self._start = time.monotonic()

    def v2_playbook_on_stats(self, stats):
        self._flush()
