"""Counter example: every GET / bumps the `hits` key in Redis."""
import time

import redis
from flask import Flask

app = Flask(__name__)
store = redis.Redis(host="redis", port=6379, socket_connect_timeout=1)


def count_hit(attempts=10, delay=0.5):
    """Increment the counter, retrying briefly while Redis is still starting."""
    for attempt in range(attempts):
        try:
            return store.incr("hits")
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            if attempt == attempts - 1:
                raise
            time.sleep(delay)


@app.route("/")
def hello():
    return "Hello World! I have been seen {} times.\n".format(count_hit())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
